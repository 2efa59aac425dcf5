import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const SRC = import.meta.dir;
const IMPORT = /(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\s+"([^"]+)"/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier reachable from `entry` through static imports and re-exports. */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith("/")) continue; // a builtin such as node:zlib or bun:ffi
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (spec.includes(":")) queue.push(spec);
      else queue.push(Bun.resolveSync(spec, dirname(file)));
    }
  }
  return seen;
}

describe("bun:ffi stays in src/ffi", () => {
  test("no file outside src/ffi imports bun:ffi", () => {
    const files = sourceFiles(SRC);
    const importsFfi = (file: string) =>
      [...readFileSync(file, "utf8").matchAll(IMPORT)].some((m) => (m[1] ?? m[2]) === "bun:ffi");
    const users = files.filter(importsFfi).map((file) => relative(SRC, file));
    expect(users).toContain("ffi/libbpf.ts");
    expect(users.filter((file) => !file.startsWith("ffi/"))).toEqual([]);
  });

  test("@eunomia/loader/package does not reach bun:ffi or src/ffi through its imports", () => {
    const closure = [...importClosure(join(SRC, "package/index.ts"))];
    // node:zlib loads only when a package is written or a MessagePack form read, not at import.
    expect(closure).not.toContain("node:zlib");
    expect(closure.some((file) => file.endsWith("decoder/src/index.ts"))).toBe(true);
    expect(closure.filter((file) => file === "bun:ffi" || file.includes("/loader/src/ffi/"))).toEqual([]);
  });

  test("importing @eunomia/loader opens no library until first use", () => {
    const script = `
      const maps = () => require("node:fs").readFileSync("/proc/self/maps", "utf8");
      const before = maps().includes("libbpf.so");
      const loader = await import(${JSON.stringify(join(SRC, "index.ts"))});
      const afterImport = maps().includes("libbpf.so");
      try { loader.openObject(new Uint8Array([1])); } catch {}
      console.log(JSON.stringify([before, afterImport, maps().includes("libbpf.so")]));`;
    const run = Bun.spawnSync([process.execPath, "-e", script]);
    expect(run.stderr.toString()).toBe("");
    expect(JSON.parse(run.stdout.toString())).toEqual([false, false, true]);
  });
});
