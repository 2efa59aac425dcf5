import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CompileError } from "./errors.ts";
import { findTool } from "./find-tool.ts";
import { ensureVmlinuxHeader } from "./vmlinux-header.ts";

const cacheDir = mkdtempSync(join(tmpdir(), "eunomia-vmlinux-test-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("ensureVmlinuxHeader", () => {
  test("generates vmlinux.h once from the kernel's BTF, then reuses it", async () => {
    const first = await ensureVmlinuxHeader({ cacheDir });
    expect(first.reused).toBe(false);
    expect(dirname(first.path)).toBe(first.dir);
    expect(first.dir.startsWith(join(cacheDir, "vmlinux", process.arch))).toBe(true);
    expect(first.dir).toMatch(/\/[0-9a-f]{16}$/);
    const text = readFileSync(first.path, "utf8");
    expect(text.startsWith("#ifndef __VMLINUX_H__")).toBe(true);
    expect(text).toContain("struct task_struct {");
    expect(text).toContain("struct trace_event_raw_sched_process_exec {");
    const mtime = statSync(first.path).mtimeMs;

    const second = await ensureVmlinuxHeader({ cacheDir, bpftool: "/nonexistent/bpftool" }); // a hit never runs bpftool
    expect(second).toEqual({ ...first, reused: true });
    expect(statSync(second.path).mtimeMs).toBe(mtime);
    // The atomic write left no temporary file behind.
    expect(readdirSync(first.dir)).toEqual(["vmlinux.h"]);
  });

  test("a different BTF gets its own cache entry", async () => {
    const kernel = await ensureVmlinuxHeader({ cacheDir });
    // Any ELF with .BTF works as input to bpftool: use a small object compiled here.
    const obj = join(cacheDir, "tiny.o");
    const cc = Bun.spawnSync([findTool("clang"), "-g", "-O2", "-target", "bpf", "-c", "-x", "c", "-", "-o", obj], {
      stdin: new TextEncoder().encode("struct tiny_marker { int x; } g;\n"),
    });
    expect(cc.exitCode).toBe(0);
    const other = await ensureVmlinuxHeader({ cacheDir, btfPath: obj });
    expect(other.reused).toBe(false);
    expect(other.dir).not.toBe(kernel.dir);
    expect(readFileSync(other.path, "utf8")).toContain("struct tiny_marker {");
  });

  test("missing BTF is a CompileError at stage vmlinux", async () => {
    const err = await ensureVmlinuxHeader({ cacheDir, btfPath: "/nonexistent/vmlinux" }).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.stage).toBe("vmlinux");
    expect(err.message).toStartWith("cannot generate vmlinux.h: no readable kernel BTF at /nonexistent/vmlinux");
  });

  test("missing bpftool on a cache miss is a CompileError at stage tool", async () => {
    const empty = mkdtempSync(join(tmpdir(), "eunomia-vmlinux-empty-"));
    try {
      const err = await ensureVmlinuxHeader({ cacheDir: empty, bpftool: "/nonexistent/bpftool" }).catch((e) => e);
      expect(err).toBeInstanceOf(CompileError);
      expect(err.stage).toBe("tool");
      expect(err.message).toBe("bpftool not found: /nonexistent/bpftool is not an executable file");
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
