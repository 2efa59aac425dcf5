/**
 * The ring-buffer lost-events convention. The kernel does not tell user space when
 * bpf_ringbuf_reserve fails, so a program may count failures in a global
 * `__u64 eunomia_lost_events`; the runtime reads it from the live data section.
 */
import { globalVariables, type Btf, type Elf } from "@eunomia/decoder";

/** The conventional counter's name; read by the runtime, never a user-settable global. */
export const LOST_COUNTER = "eunomia_lost_events";

/** Where the counter lives (data section and offset), if the object declares one. */
export function lostCounterPlace(elf: Elf, btf: Btf): { section: string; offset: number } | undefined {
  const v = globalVariables(elf, btf).find((g) => g.name === LOST_COUNTER && g.size === 8);
  return v ? { section: v.section, offset: v.offset } : undefined;
}
