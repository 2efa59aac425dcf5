import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CompileError } from "./errors.ts";
import { findExportStruct } from "./export-header.ts";
import { findTool } from "./find-tool.ts";
import { ensureVmlinuxHeader, type VmlinuxHeader } from "./vmlinux-header.ts";
import { ensureVmlinuxPch } from "./vmlinux-pch.ts";

const fixtures = resolve(import.meta.dir, "../fixtures");
const clang = findTool("clang");
const flags = ["-target", "bpf", "-D__TARGET_ARCH_x86"];
const scratch = mkdtempSync(join(tmpdir(), "eunomia-header-test-"));
let vmlinux: VmlinuxHeader;
let pch: string;

beforeAll(async () => {
  vmlinux = await ensureVmlinuxHeader();
  pch = await ensureVmlinuxPch({ clang, vmlinux, flags });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function header(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("findExportStruct", () => {
  test("the first *defined* struct wins over comments, #if 0, macros, forward declarations, unions and included files", async () => {
    const opts = { header: join(fixtures, "tricky.h"), clang, flags, includeArgs: [`-I${fixtures}`] };
    expect(await findExportStruct(opts)).toBe("first_real");
    expect(await findExportStruct({ ...opts, pch })).toBe("first_real");
  });

  test("kernel types resolve when parsed after the vmlinux.h PCH", async () => {
    const opts = { header: join(fixtures, "bootstrap.h"), clang, flags, includeArgs: [`-I${fixtures}`] };
    expect(await findExportStruct({ ...opts, pch })).toBe("event");
    // Alone, `bool` is unknown in C17: a typed error naming the header and the problem.
    const err = await findExportStruct(opts).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.stage).toBe("header");
    expect(err.message).toMatch(/^cannot parse header bootstrap\.h: .*bootstrap\.h:20:2: error: unknown type name 'bool'$/);
    expect(err.diagnostics).toContain("bootstrap.h:20:2: error: unknown type name 'bool'");
  });

  test("a header that includes vmlinux.h itself parses through the PCH (guard skips the text)", async () => {
    const h = header("self.h", '#include "vmlinux.h"\nstruct self_ev { pid_t pid; u64 ts; };\n');
    const start = performance.now();
    expect(await findExportStruct({ header: h, clang, flags, includeArgs: [`-I${vmlinux.dir}`], pch })).toBe("self_ev");
    // Parsing vmlinux.h as text takes seconds and a 180 MB dump; through the PCH it is quick.
    expect(performance.now() - start).toBeLessThan(1500);
  });

  test("a macro-generated struct counts, at the place the macro is used", async () => {
    const h = header("macro.h", "#define EV(n) struct n { int v; }\nstruct fwd;\nEV(made_by_macro);\nstruct plain { int w; };\n");
    expect(await findExportStruct({ header: h, clang, flags, includeArgs: [] })).toBe("made_by_macro");
  });

  test("undefined when only declarations, unions and anonymous structs are present", async () => {
    const h = header("none.h", "struct a;\nunion u { int x; };\ntypedef struct { int y; } t;\n");
    expect(await findExportStruct({ header: h, clang, flags, includeArgs: [] })).toBeUndefined();
  });

  test("a header that does not exist is a header CompileError", async () => {
    const err = await findExportStruct({ header: join(scratch, "missing.h"), clang, flags, includeArgs: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toContain("cannot parse header missing.h:");
    expect(err.message).not.toContain("\n");
  });
});
