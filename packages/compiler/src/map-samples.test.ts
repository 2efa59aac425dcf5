import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readPackage } from "@eunomia/loader/package";
import { build } from "./build.ts";
import { CompileError } from "./errors.ts";
import { parseSample, withMapSamples } from "./map-samples.ts";

const fixtures = resolve(import.meta.dir, "../fixtures");
const scratch = mkdtempSync(join(tmpdir(), "eunomia-map-samples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const site = { file: "/src/prog.bpf.c", line: 12, map: "hists" };

async function rejection(p: Promise<unknown>): Promise<CompileError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error("expected a CompileError");
}

describe("parseSample", () => {
  test("keeps what was written, in a fixed order; type defaults to default_kv", () => {
    expect(parseSample('{"unit": "usecs", "type": "log2_hist", "interval": 1000, "clear_map": true}', site)).toEqual({
      interval: 1000, type: "log2_hist", unit: "usecs", clear_map: true,
    });
    expect(parseSample('{"interval": 5}', site)).toEqual({ interval: 5, type: "default_kv" });
    expect(parseSample('{"interval": 5, "type": "linear_hist", "base": -10, "step": 5}', site)).toEqual({
      interval: 5, type: "linear_hist", base: -10, step: 5,
    });
  });

  const bad: [string, string][] = [
    ['{"interval": 1000,', "prog.bpf.c:12: @sample of map 'hists' is not valid JSON"],
    ["", "prog.bpf.c:12: @sample of map 'hists' is not valid JSON"],
    ["[1000]", "prog.bpf.c:12: @sample of map 'hists' must be a JSON object, e.g. {\"interval\": 1000}"],
    ['{"intreval": 1000}', 'prog.bpf.c:12: @sample of map \'hists\' has unknown key "intreval" (known: interval, type, unit, clear_map, base, step)'],
    ['{"type": "log2_hist"}', "prog.bpf.c:12: @sample of map 'hists' needs \"interval\": a whole number of milliseconds above 0 (got nothing)"],
    ['{"interval": 0}', "prog.bpf.c:12: @sample of map 'hists' needs \"interval\": a whole number of milliseconds above 0 (got 0)"],
    ['{"interval": "1s"}', "prog.bpf.c:12: @sample of map 'hists' needs \"interval\": a whole number of milliseconds above 0 (got \"1s\")"],
    ['{"interval": 1, "type": "pie"}', 'prog.bpf.c:12: @sample of map \'hists\' has "type" "pie"; use one of log2_hist, linear_hist, default_kv'],
    ['{"interval": 1, "unit": 3}', "prog.bpf.c:12: @sample of map 'hists' has a \"unit\" that is not a string"],
    ['{"interval": 1, "clear_map": "yes"}', "prog.bpf.c:12: @sample of map 'hists' has a \"clear_map\" that is not true or false"],
    ['{"interval": 1, "step": 2}', "prog.bpf.c:12: @sample of map 'hists' sets \"base\"/\"step\", which only linear_hist uses"],
    ['{"interval": 1, "type": "linear_hist", "step": 0}', "prog.bpf.c:12: @sample of map 'hists' has a \"step\" that is not a whole number above 0"],
    ['{"interval": 1, "type": "linear_hist", "base": 1.5}', "prog.bpf.c:12: @sample of map 'hists' has a \"base\" that is not a whole number"],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${text || "(nothing)"}`, () => {
      let error: unknown;
      try {
        parseSample(text, site);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CompileError);
      expect((error as CompileError).stage).toBe("docs");
      expect((error as CompileError).message.startsWith(message)).toBe(true);
    });
  }
});

describe("withMapSamples", () => {
  const decl = (name: string, line: number, commands: { name: string; text: string; line: number }[] = []) => ({
    kind: "VarDecl", name, file: "/src/p.bpf.c", line, comment: commands.length ? { text: "", commands, line: line - 1 } : undefined,
  });
  test("sets sample on the maps that have one and leaves the others alone", () => {
    const maps = [{ name: "a", ident: "a" }, { name: "b", ident: "b" }, { name: "p_bpf.rodata", ident: "rodata", mmaped: true }];
    const decls = [decl("a", 3, [{ name: "sample", text: '{"interval": 7}', line: 2 }]), decl("b", 5)];
    expect(withMapSamples(maps, decls)).toEqual([
      { name: "a", ident: "a", sample: { interval: 7, type: "default_kv" } },
      { name: "b", ident: "b" },
      { name: "p_bpf.rodata", ident: "rodata", mmaped: true },
    ]);
  });

  test("two @sample commands on one map are an error at the second", () => {
    const decls = [decl("a", 4, [{ name: "sample", text: '{"interval": 7}', line: 2 }, { name: "sample", text: '{"interval": 8}', line: 3 }])];
    expect(() => withMapSamples([{ name: "a", ident: "a" }], decls)).toThrow("p.bpf.c:3: map 'a' has a second @sample");
  });
});

describe("ecli build reads @sample doc comments", () => {
  test("a program on UAPI headers: every doc-commented map gets its sample, others none", async () => {
    const r = await build({ source: join(fixtures, "sampled.bpf.c"), outDir: join(scratch, "uapi") });
    const maps: unknown = readPackage(JSON.stringify(r.package)).meta.bpf_skel.maps;
    // In BTF order, as maps-meta lists them.
    expect(maps).toEqual([
      { name: "counts", ident: "counts", sample: { interval: 2000, type: "default_kv" } },
      { name: "hists", ident: "hists", sample: { interval: 1000, type: "log2_hist", unit: "usecs", clear_map: true } },
      { name: "linear", ident: "linear", sample: { interval: 500, type: "linear_hist", base: 10, step: 5 } },
      { name: "plain", ident: "plain" },
    ]);
  });

  test("a program on vmlinux.h (parsed after its PCH) gets its sample too", async () => {
    const dir = join(scratch, "kernel");
    const source = join(dir, "hist.bpf.c");
    await Bun.write(
      source,
      [
        '#include "vmlinux.h"',
        "#include <bpf/bpf_helpers.h>",
        'char LICENSE[] SEC("license") = "GPL";',
        "struct hist { u64 slots[20]; char comm[TASK_COMM_LEN_X]; };".replace("TASK_COMM_LEN_X", "16"),
        '/// @sample {"interval": 250, "type": "log2_hist", "unit": "bytes"}',
        "struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, pid_t); __type(value, struct hist); } hists SEC(\".maps\");",
        'SEC("tp/syscalls/sys_enter_write") int on_write(void *ctx) { return 0; }',
        "",
      ].join("\n"),
    );
    const r = await build({ source });
    expect(r.package.meta.bpf_skel.maps?.[0]).toEqual({ name: "hists", ident: "hists", sample: { interval: 250, type: "log2_hist", unit: "bytes" } });
  });

  test("malformed @sample JSON fails the build naming file and line", async () => {
    const source = join(scratch, "broken-sample.bpf.c");
    writeFileSync(
      source,
      [
        "#include <linux/bpf.h>",
        "#include <bpf/bpf_helpers.h>",
        'char LICENSE[] SEC("license") = "GPL";',
        "",
        '/// @sample {"interval": 1000 "type": "log2_hist"}',
        "struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bad_map SEC(\".maps\");",
        "",
      ].join("\n"),
    );
    const e = await rejection(build({ source, outDir: join(scratch, "broken") }));
    expect(e.stage).toBe("docs");
    expect(e.message).toStartWith("broken-sample.bpf.c:5: @sample of map 'bad_map' is not valid JSON (");
    expect(e.message).toEndWith('): {"interval": 1000 "type": "log2_hist"}');
    expect(e.message.includes("\n")).toBe(false);
  });
});
