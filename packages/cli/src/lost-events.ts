/**
 * Lost-event reports. Perf buffers report lost samples themselves; a ring buffer
 * cannot, so by the loader's convention (`LOST_COUNTER`, `lostCounterPlace`) a program
 * counts failed reservations in a global `__u64 eunomia_lost_events`.
 */

/** One line reporting what was lost, per source. */
export function lostReport(counts: { source: string; lost: bigint }[]): string {
  const total = counts.reduce((sum, c) => sum + c.lost, 0n);
  const parts = counts.map((c) => `${c.source}: ${c.lost}`).join(", ");
  return `${total} events lost (${parts || "no counters"})`;
}
