/**
 * Slots of a BPF_MAP_TYPE_PERF_EVENT_ARRAY: index = CPU, value = perf event fd. The
 * program's bpf_perf_event_output(..., BPF_F_CURRENT_CPU, ...) writes to the event in
 * the slot of the CPU it runs on.
 */
import { LibbpfError } from "../errors.ts";
import { libbpf } from "./libbpf.ts";

/** Puts perf event `eventFd` into slot `cpu` of map `mapFd`. Throws {@link LibbpfError}. */
export function setPerfEventSlot(mapFd: number, cpu: number, eventFd: number): void {
  const rc = libbpf().bpf_map_update_elem(mapFd, new Uint32Array([cpu]), new Uint32Array([eventFd]), 0n);
  if (rc < 0) throw new LibbpfError(`set slot ${cpu} of perf event array fd ${mapFd}`, -rc);
}

/** Empties slot `cpu` of map `mapFd`; errors (e.g. ENOENT: already empty) are ignored. */
export function clearPerfEventSlot(mapFd: number, cpu: number): void {
  libbpf().bpf_map_delete_elem(mapFd, new Uint32Array([cpu]));
}
