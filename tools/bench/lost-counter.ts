/**
 * Reads `eunomia_lost_events`, the count of events a BPF program could not reserve ring
 * buffer space for, from the live `.bss` map of a running consumer, through bpftool. This
 * works for any loader (ecli, the C consumer) without its cooperation.
 */
import { $ } from "bun";

/** The variable bench.bpf.c counts failed reserves in (the project's convention). */
export const LOST_VARIABLE = "eunomia_lost_events";

interface MapListEntry { id: number; name?: string }

/** Ids of every BPF map in the kernel. */
export async function mapIds(): Promise<Set<number>> {
  const maps = JSON.parse((await $`bpftool -j map list`.quiet().text()) || "[]") as MapListEntry[];
  return new Set(maps.map((m) => m.id));
}

/**
 * Finds `name` in bpftool's BTF-formatted dump of a datasec map:
 * `[{"formatted":{"value":{".bss":[{"eunomia_lost_events":12},...]}}}]`.
 * Returns undefined when the dump has no such variable.
 * @example variableFromDump(dump, "eunomia_lost_events") // 12n
 */
export function variableFromDump(dump: unknown, name: string): bigint | undefined {
  if (!Array.isArray(dump)) return undefined;
  for (const entry of dump) {
    const sections = (entry as { formatted?: { value?: Record<string, unknown> } })?.formatted?.value ?? {};
    for (const vars of Object.values(sections)) {
      if (!Array.isArray(vars)) continue;
      for (const v of vars) {
        if (v && typeof v === "object" && name in v) {
          const value = (v as Record<string, unknown>)[name];
          if (typeof value === "number" || typeof value === "string") return BigInt(value);
        }
      }
    }
  }
  return undefined;
}

/**
 * The lost-event count of the bench object a consumer loaded: the `.bss` map whose name
 * starts with `bench` and that is not in `before` (the ids present before it started).
 * @throws Error when no such map exists or it has no counter.
 */
export async function readLostEvents(before: Set<number>): Promise<bigint> {
  const maps = JSON.parse((await $`bpftool -j map list`.quiet().text()) || "[]") as MapListEntry[];
  const bss = maps.filter((m) => !before.has(m.id) && /^bench.*\.bss$/.test(m.name ?? ""));
  if (bss.length !== 1) throw new Error(`expected one new bench .bss map, found ${bss.length}`);
  const dump = JSON.parse(await $`bpftool -j map dump id ${bss[0].id}`.quiet().text()) as unknown;
  const lost = variableFromDump(dump, LOST_VARIABLE);
  if (lost === undefined) throw new Error(`map ${bss[0].name} (id ${bss[0].id}) has no ${LOST_VARIABLE}`);
  return lost;
}
