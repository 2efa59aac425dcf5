/**
 * The leak check of the wasm suites, told apart from other suites running at the same
 * time: of what leaksAfterRelease finds, only programs and maps with the names of the
 * wasm examples' objects count (a leaked link keeps its program, so it shows there).
 */
import { $ } from "bun";
import { leaksAfterRelease, type KernelObjects } from "./kernel.ts";

// bpftool shows names cut to 15 characters.
const OUR_PROGS = new Set(["wasm_exec", "wasm_exit", "count_exec", "on_exec"]);
const OUR_MAPS = new Set(["wasm_exec_start", "wasm_rb", "values", "execs", "spare_rb", "exec_events"]);

async function name(kind: "prog" | "map", id: number): Promise<string | undefined> {
  const out = await $`bpftool -j ${kind} show id ${id}`.quiet().nothrow().text();
  try {
    return (JSON.parse(out) as { name?: string }).name;
  } catch {
    return undefined; // freed meanwhile
  }
}

/** Programs and maps named like ours that are still loaded, as "name#id". */
export async function wasmLeaks(before: KernelObjects): Promise<{ progs: string[]; maps: string[] }> {
  const leaked = await leaksAfterRelease(before);
  const named = async (kind: "prog" | "map", ids: number[], ours: Set<string>) =>
    (await Promise.all(ids.map(async (id) => ({ id, name: await name(kind, id) }))))
      .filter((x) => x.name !== undefined && (ours.has(x.name) || x.name.startsWith("wasm_bpf.")))
      .map((x) => `${x.name}#${x.id}`);
  return { progs: await named("prog", leaked.progs, OUR_PROGS), maps: await named("map", leaked.maps, OUR_MAPS) };
}
