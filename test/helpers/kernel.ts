/** What of ours is loaded in the kernel, read through bpftool, to prove tests leak nothing. */
import { $ } from "bun";

export interface KernelObjects { progs: Set<number>; maps: Set<number>; links: Set<number> }

async function ids(kind: "prog" | "map" | "link"): Promise<Set<number>> {
  const out = await $`bpftool -j ${kind} list`.quiet().text();
  const items = JSON.parse(out || "[]") as { id: number }[];
  return new Set(items.map((i) => i.id));
}

/** A snapshot of every program, map and link id in the kernel. */
export async function kernelObjects(): Promise<KernelObjects> {
  const [progs, maps, links] = await Promise.all([ids("prog"), ids("map"), ids("link")]);
  return { progs, maps, links };
}

/** Ids present in `after` that were not in `before`. */
export function leakedSince(before: KernelObjects, after: KernelObjects): { progs: number[]; maps: number[]; links: number[] } {
  const diff = (a: Set<number>, b: Set<number>) => [...b].filter((id) => !a.has(id));
  return { progs: diff(before.progs, after.progs), maps: diff(before.maps, after.maps), links: diff(before.links, after.links) };
}

/**
 * What is still leaked once the kernel has had time to free released objects
 * (maps and programs are freed after an RCU grace period, so we poll briefly).
 */
export async function leaksAfterRelease(before: KernelObjects, timeoutMs = 3000): Promise<{ progs: number[]; maps: number[]; links: number[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leaked = leakedSince(before, await kernelObjects());
    const none = leaked.progs.length + leaked.maps.length + leaked.links.length === 0;
    if (none || Date.now() > deadline) return leaked;
    await Bun.sleep(100);
  }
}
