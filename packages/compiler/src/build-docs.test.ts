import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "./build.ts";
import { CompileError } from "./errors.ts";

const dir = mkdtempSync(join(tmpdir(), "eunomia-build-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = [
  "#include <linux/types.h>",
  "#include <linux/bpf.h>",
  "#include <bpf/bpf_helpers.h>",
  "/// @brief Counts sys_enter.",
  "/// @version 1.0",
  'char LICENSE[] SEC("license") = "GPL";',
  "/// Only count this pid",
  '/// @cmdarg {"short": "p", "long": "pid", "default": 0}',
  "const volatile __u32 target_pid = 0;",
  '/// @intepreter "default_struct"',
  "struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(\".maps\");",
  'SEC("raw_tp/sys_enter") int count_enter(void *ctx) { return 0; }',
].join("\n");

test("build puts descriptions, cmdarg, map options and the program's doc into the package", async () => {
  writeFileSync(join(dir, "docs.bpf.c"), PROGRAM);
  const r = await build({ source: join(dir, "docs.bpf.c") });
  const skel = r.package.meta.bpf_skel;
  expect(skel.data_sections[0].variables).toEqual([
    { name: "target_pid", type: "__u32", description: "Only count this pid", cmdarg: { short: "p", long: "pid", default: 0 } },
  ]);
  expect(skel.doc).toEqual({ brief: "Counts sys_enter.", version: "1.0" });
  expect(skel.maps?.find((m) => m.name === "rb")?.intepreter).toBe("default_struct");
});

test("a malformed @cmdarg fails the build with a CompileError naming file:line", async () => {
  writeFileSync(join(dir, "bad.bpf.c"), PROGRAM.replace('"default": 0}', '"default": }'));
  const e = await build({ source: join(dir, "bad.bpf.c") }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CompileError);
  expect((e as CompileError).stage).toBe("docs");
  expect((e as CompileError).message).toMatch(/^bad\.bpf\.c:8: @cmdarg of 'target_pid' is not valid JSON/);
});

test("headerOnly: a header alone becomes a package with its first struct as export type and no program", async () => {
  writeFileSync(join(dir, "event.h"), "#ifndef EV\n#define EV\nstruct event { int pid; char comm[16]; unsigned long long ts; };\n#endif\n");
  const r = await build({ source: join(dir, "event.h"), headerOnly: true, outDir: join(dir, "ho") });
  expect(r.package.meta.export_types).toEqual([
    { name: "event", size: 32, type_id: r.package.meta.export_types[0].type_id, members: [
      { name: "pid", type: "int" },
      { name: "comm", type: "char[16]" },
      { name: "ts", type: "unsigned long long" },
    ] },
  ]);
  expect(r.package.meta.bpf_skel.progs ?? []).toEqual([]);
  await expect(build({ source: join(dir, "event.h"), header: join(dir, "event.h"), headerOnly: true })).rejects.toThrow(/--header-only takes one header/);
});
