#!/usr/bin/env bun
/**
 * Package sizes (DESIGN.md section 8, "package size"): builds every example program with
 * the compiler and prints, per program, the JSON form, the MessagePack form and their
 * ratio as a markdown table (the table in docs/BENCHMARKS.md).
 *
 * Usage: bun tools/bench/package-sizes.ts
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { build } from "@eunomia/compiler";

const ROOT = join(import.meta.dir, "../..");
const EXAMPLES = join(ROOT, "examples");

/** The export header a program is built with: its own `<stem>.bpf.h`, else the folder's only `.bpf.h`. */
function headerFor(dir: string, source: string): string | undefined {
  const own = join(dir, source.replace(/\.bpf\.c$/, ".bpf.h"));
  if (existsSync(own)) return own;
  const headers = readdirSync(dir).filter((f) => f.endsWith(".bpf.h"));
  return headers.length === 1 ? join(dir, headers[0]!) : undefined;
}

const rows: string[] = [];
let worst = 0;
const work = mkdtempSync(join(tmpdir(), "eunomia-sizes-"));
try {
  for (const example of readdirSync(EXAMPLES).sort()) {
    const dir = join(EXAMPLES, example);
    for (const source of readdirSync(dir).filter((f) => f.endsWith(".bpf.c")).sort()) {
      const outDir = join(work, basename(source, ".bpf.c"));
      const built = await build({ source: join(dir, source), header: headerFor(dir, source), outDir });
      const json = statSync(built.packagePath).size;
      const msgpack = statSync(join(outDir, "package.msgpack")).size;
      const object = (await Bun.file(built.packagePath).json()).bpf_object_size as number;
      worst = Math.max(worst, msgpack / json);
      rows.push(`| ${example}/${source} | ${object.toLocaleString("en")} | ${json.toLocaleString("en")} | ${msgpack.toLocaleString("en")} | ${((100 * msgpack) / json).toFixed(1)} % |`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log("| program | ELF bytes | package.json | package.msgpack | MessagePack / JSON |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
console.log(`\nlargest ratio: ${(100 * worst).toFixed(1)} % (goal: at most 50 %)`);
