/**
 * Reads a program's run statistics from `struct bpf_prog_info` (filled by the kernel
 * only while `kernel.bpf_stats_enabled` is 1; zero otherwise).
 */
import { LibbpfError } from "../errors.ts";
import { libbpf } from "./libbpf.ts";

// struct bpf_prog_info up to run_cnt: run_time_ns sits at byte 192, run_cnt at 200 (stable UAPI since 5.1).
const INFO_BYTES = 208;
const RUN_TIME_NS = 192;
const RUN_CNT = 200;

/** Times a program ran and nanoseconds it spent, as the kernel counts them. */
export interface ProgramRunStats {
  runCount: bigint;
  runTimeNs: bigint;
}

/** Run statistics of program `fd`. Throws {@link LibbpfError} (EBADF, EINVAL for a non-program fd). */
export function programRunStats(fd: number): ProgramRunStats {
  const info = new Uint8Array(INFO_BYTES);
  const length = new Uint32Array([INFO_BYTES]);
  const rc = libbpf().bpf_obj_get_info_by_fd(fd, info, length);
  if (rc < 0) throw new LibbpfError(`program info of fd ${fd}`, -rc);
  const view = new DataView(info.buffer);
  if (length[0] < INFO_BYTES) return { runCount: 0n, runTimeNs: 0n }; // a kernel older than BPF stats
  return { runTimeNs: view.getBigUint64(RUN_TIME_NS, true), runCount: view.getBigUint64(RUN_CNT, true) };
}
