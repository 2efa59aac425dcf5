/**
 * Lost-event accounting. Perf buffers report lost samples themselves; a ring buffer
 * cannot, so by our convention a program counts failed reservations in a global
 * `__u64 eunomia_lost_events` (see the loader README), which is read here.
 */
import { globalVariables, type Btf, type Elf } from "@eunomia/decoder";

/** The name of the conventional lost-events counter. */
export const LOST_COUNTER = "eunomia_lost_events";

/** Where the counter lives, if the object declares one. */
export function lostCounterPlace(elf: Elf, btf: Btf): { section: string; offset: number } | undefined {
  const v = globalVariables(elf, btf).find((g) => g.name === LOST_COUNTER && g.size === 8);
  return v ? { section: v.section, offset: v.offset } : undefined;
}

/** One line reporting what was lost, per source. */
export function lostReport(counts: { source: string; lost: bigint }[]): string {
  const total = counts.reduce((sum, c) => sum + c.lost, 0n);
  const parts = counts.map((c) => `${c.source}: ${c.lost}`).join(", ");
  return `${total} events lost (${parts || "no counters"})`;
}
