/**
 * BPF objects that live processes hold open. When the native run ends, every ecli it
 * started has exited, so a new object still held by a live process belongs to someone
 * else on this machine (other tests load programs at the same time), not to a leak of ours.
 */
import { readdirSync, readFileSync } from "node:fs";
import { $ } from "bun";

export interface HeldIds { progs: Set<number>; maps: Set<number>; links: Set<number> }

/** Ids named by `prog_id:`, `map_id:` and `link_id:` in every process's fdinfo. */
export function heldByProcesses(): HeldIds {
  const held: HeldIds = { progs: new Set(), maps: new Set(), links: new Set() };
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue; // the process exited meanwhile
    }
    for (const fd of fds) {
      let info: string;
      try {
        info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
      } catch {
        continue;
      }
      // A link's fdinfo names its program too (prog_id), so link_id is tested first.
      const link = /^link_id:\s*(\d+)/m.exec(info);
      const prog = /^prog_id:\s*(\d+)/m.exec(info);
      const map = /^map_id:\s*(\d+)/m.exec(info);
      if (link) held.links.add(Number(link[1]));
      if (prog) held.progs.add(Number(prog[1]));
      if (map && !link) held.maps.add(Number(map[1]));
    }
  }
  return held;
}

/** The maps used by the given programs (a held program keeps its maps alive). */
async function mapsOf(progs: Iterable<number>): Promise<number[]> {
  const ids: number[] = [];
  for (const id of progs) {
    const out = await $`bpftool -j prog show id ${id}`.quiet().nothrow().text();
    if (out) ids.push(...(((JSON.parse(out) as { map_ids?: number[] }).map_ids) ?? []));
  }
  return ids;
}

/** `leaked` without what live processes hold (directly, or as maps of held programs). */
export async function withoutHeld(leaked: { progs: number[]; maps: number[]; links: number[] }) {
  const held = heldByProcesses();
  const heldMaps = new Set([...held.maps, ...(await mapsOf(leaked.progs.filter((id) => held.progs.has(id))))]);
  return {
    progs: leaked.progs.filter((id) => !held.progs.has(id)),
    maps: leaked.maps.filter((id) => !heldMaps.has(id)),
    links: leaked.links.filter((id) => !held.links.has(id)),
  };
}
