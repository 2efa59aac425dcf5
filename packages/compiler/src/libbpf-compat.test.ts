import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "./build.ts";
import { ensureLibbpfCompat } from "./libbpf-compat.ts";

const dir = mkdtempSync(join(tmpdir(), "eunomia-libbpf-compat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("wrapper headers include the system ones first and define only what is missing", () => {
  const compat = ensureLibbpfCompat(join(dir, "cache"));
  expect(ensureLibbpfCompat(join(dir, "cache"))).toBe(compat);
  const tracing = readFileSync(join(compat, "bpf/bpf_tracing.h"), "utf8");
  expect(tracing).toContain("#include_next <bpf/bpf_tracing.h>");
  expect(tracing).toContain("#if !defined(BPF_UPROBE) && defined(BPF_KPROBE)");
});

test("a libbpf >= 1.2 program (BPF_UPROBE, BPF_URETPROBE, bpf_ksym_exists) builds on the system headers", async () => {
  writeFileSync(
    join(dir, "up.bpf.c"),
    [
      '#include "vmlinux.h"',
      "#include <bpf/bpf_helpers.h>",
      "#include <bpf/bpf_tracing.h>",
      'char LICENSE[] SEC("license") = "GPL";',
      "extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym __weak;",
      "int seen;",
      'SEC("uprobe") int BPF_UPROBE(on_malloc, size_t size) { seen = bpf_ksym_exists(bpf_iter_num_new) ? size : 0; return 0; }',
      'SEC("uretprobe") int BPF_URETPROBE(on_ret, void *ret) { seen = ret != 0; return 0; }',
    ].join("\n"),
  );
  const r = await build({ source: join(dir, "up.bpf.c") });
  expect(r.package.meta.bpf_skel.progs?.map((p) => p.attach)).toEqual(["uprobe", "uretprobe"]);
});
