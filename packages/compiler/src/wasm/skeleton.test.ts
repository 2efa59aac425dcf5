/**
 * The generated skeleton: its .rodata struct has each global at the offset libbpf will
 * read it from, and a wasm32 program compiled against it (with eunomia-wasm.h) finds
 * and writes the section inside the embedded object. No kernel needed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { btfFromElf, globalVariables, parseElf } from "@eunomia/decoder";
import { runWasmModule } from "@eunomia/loader";
import { build } from "../build.ts";
import { findTool } from "../find-tool.ts";
import { runTool } from "../run-tool.ts";
import { skeletonHeader } from "./skeleton.ts";

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct pair { int a; int b; };
enum mode { OFF, ON };
const volatile __u8 small = 1;
const volatile short neg = -2;
const volatile unsigned int count = 3;
const volatile unsigned long long big = 4;
const volatile bool flag = true;
const volatile char label[8] = "abc";
const volatile struct pair p = { 5, 6 };
const volatile enum mode m = ON;
SEC("tp/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) { return small + neg + count + big + flag + label[0] + p.a + m; }
`;

let dir: string;
let object: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecli-skel-"));
  writeFileSync(join(dir, "globals.bpf.c"), SOURCE);
  const r = await build({ source: join(dir, "globals.bpf.c"), outDir: dir });
  object = new Uint8Array(readFileSync(r.objectPath));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the .rodata struct declares every global at its offset, with padding", () => {
  const text = skeletonHeader({ objName: "globals_bpf", object, programs: ["on_getpid"] });
  const body = /struct globals_bpf__rodata \{\n([^}]*)\}/.exec(text)![1].trim().split("\n").map((l) => l.trim());
  const vars = globalVariables(parseElf(object), btfFromElf(parseElf(object))).filter((v) => v.section === ".rodata");
  const declared = body.filter((l) => !l.startsWith("unsigned char __pad_"));
  expect(declared.map((l) => /(\w+)(\[\d+\])?;$/.exec(l)![1])).toEqual(vars.map((v) => v.name));
  expect(declared).toContain("uint8_t small;");
  expect(declared).toContain("int16_t neg;");
  expect(declared).toContain("uint32_t count;");
  expect(declared).toContain("uint64_t big;");
  expect(declared).toContain("bool flag;");
  expect(declared).toContain("char label[8];");
  expect(declared).toContain("unsigned char p[8];");
  expect(declared).toContain("uint32_t m;");
  expect(text).toContain('static const char *const globals_bpf__programs[] = { "on_getpid" };');
});

test("a wasm32 program finds .rodata in the embedded object and sets globals at the right offsets", async () => {
  writeFileSync(join(dir, "globals.skel.h"), skeletonHeader({ objName: "globals_bpf", object, programs: ["on_getpid"] }));
  writeFileSync(join(dir, "app.c"), `#include <stdio.h>
#include <stddef.h>
#include "globals.skel.h"
int main(void) {
  struct globals_bpf *s = globals_bpf__open();
  size_t size = 0;
  unsigned char *sec = eunomia_skel_section(&s->skel, ".rodata", &size);
  printf("rodata=%ld size=%zu\\n", (long)(sec - s->skel.object), size);
  printf("small=%u neg=%d count=%u big=%llu flag=%d label=%s m=%u\\n", s->rodata->small, s->rodata->neg, s->rodata->count,
         (unsigned long long)s->rodata->big, s->rodata->flag, s->rodata->label, s->rodata->m);
  s->rodata->count = 0x01020304;
  printf("offsets big=%zu count=%zu m=%zu byte=%u\\n", offsetof(struct globals_bpf__rodata, big),
         offsetof(struct globals_bpf__rodata, count), offsetof(struct globals_bpf__rodata, m),
         sec[offsetof(struct globals_bpf__rodata, count)]);
  printf("missing=%p\\n", eunomia_skel_section(&s->skel, ".nope", NULL));
  return 0;
}
`);
  writeFileSync(join(dir, "eunomia-wasm.h"), readFileSync(join(import.meta.dir, "../../include/eunomia-wasm.h")));
  const clang = findTool("clang", {});
  const run = await runTool([clang, "--target=wasm32-wasi", "-O2", `-I${dir}`, "-Wl,--export-table", "-o", join(dir, "app.wasm"), join(dir, "app.c")]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  let printed = "";
  const code = await runWasmModule(readFileSync(join(dir, "app.wasm")), { stdout: (b) => (printed += new TextDecoder().decode(b)) });
  expect(code).toBe(0);
  const elf = parseElf(object);
  const section = elf.section(".rodata")!;
  const vars = new Map(globalVariables(elf, btfFromElf(elf)).map((v) => [v.name, v.offset]));
  expect(printed).toBe(
    `rodata=${Number(section.offset)} size=${Number(section.size)}\n` +
      "small=1 neg=-2 count=3 big=4 flag=1 label=abc m=1\n" +
      `offsets big=${vars.get("big")} count=${vars.get("count")} m=${vars.get("m")} byte=4\n` +
      "missing=0\n",
  );
});
