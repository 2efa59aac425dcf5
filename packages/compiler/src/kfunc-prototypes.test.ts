import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "./build.ts";
import { kfuncPrototypes } from "./kfunc-prototypes.ts";
import { KERNEL_BTF_PATH } from "./vmlinux-header.ts";

const dir = mkdtempSync(join(tmpdir(), "eunomia-kfuncs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the kernel's kfuncs become weak .ksyms externs, guarded by BPF_NO_KFUNC_PROTOTYPES", () => {
  const text = kfuncPrototypes(readFileSync(KERNEL_BTF_PATH));
  expect(text).toContain('extern struct task_struct *bpf_task_from_pid(s32) __attribute__((weak, section(".ksyms")));');
  expect(text).toContain("#ifndef BPF_NO_KFUNC_PROTOTYPES");
  expect(text.split("\n").filter((l) => l.startsWith("extern ")).length).toBeGreaterThan(50);
});

test("a program calls a kfunc it does not declare, through vmlinux.h", async () => {
  writeFileSync(
    join(dir, "kf.bpf.c"),
    [
      '#include "vmlinux.h"',
      "#include <bpf/bpf_helpers.h>",
      'char LICENSE[] SEC("license") = "GPL";',
      "int found;",
      'SEC("tp_btf/sched_switch") int on_switch(u64 *ctx) {',
      "  struct task_struct *t = bpf_task_from_pid(1);",
      "  if (t) { found = 1; bpf_task_release(t); }",
      "  return 0;",
      "}",
    ].join("\n"),
  );
  const r = await build({ source: join(dir, "kf.bpf.c") });
  expect(r.package.meta.bpf_skel.progs?.map((p) => p.name)).toEqual(["on_switch"]);
});
