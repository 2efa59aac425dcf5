import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findTool } from "./find-tool.ts";
import { exportStructOf, withoutWarningFlags } from "./header-struct.ts";
import { ensureVmlinuxHeader } from "./vmlinux-header.ts";

const fixtures = resolve(import.meta.dir, "../fixtures");
const clang = findTool("clang");
const flags = ["-target", "bpf", "-D__TARGET_ARCH_x86"];
const scratch = mkdtempSync(join(tmpdir(), "eunomia-header-struct-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("parses after vmlinux.h when available", async () => {
  const vmlinux = await ensureVmlinuxHeader();
  expect(await exportStructOf({ header: join(fixtures, "bootstrap.h"), clang, flags, includeArgs: [], vmlinux })).toBe("event");
});

test("falls back to the header alone when it clashes with vmlinux.h", async () => {
  const vmlinux = await ensureVmlinuxHeader();
  const h = join(scratch, "clash.h");
  writeFileSync(h, "typedef unsigned int u64; /* vmlinux.h says unsigned long long */\nstruct clash_ev { u64 v; };\n");
  expect(await exportStructOf({ header: h, clang, flags, includeArgs: [], vmlinux })).toBe("clash_ev");
});

test("a header with no struct exports nothing (a struct in a comment does not count)", async () => {
  const h = join(scratch, "empty.h");
  writeFileSync(h, "/* struct commented_out { int a; }; */\nenum e { A };\n");
  expect(await exportStructOf({ header: h, clang, flags, includeArgs: [] })).toBeUndefined();
});

test("warning flags do not split the PCH cache; preprocessor and optimisation flags do", () => {
  expect(withoutWarningFlags(["-target", "bpf", "-Wall", "-Werror", "-Wno-unused", "-w", "-pedantic", "-DX=1", "-O2", "-Wp,-DY", "-Wa,-x"])).toEqual([
    "-target", "bpf", "-DX=1", "-O2", "-Wp,-DY", "-Wa,-x",
  ]);
});
