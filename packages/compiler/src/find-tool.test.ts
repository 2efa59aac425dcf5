import { expect, test } from "bun:test";
import { CompileError } from "./errors.ts";
import { findTool } from "./find-tool.ts";

const PATH = process.env.PATH;

test("prefers the versioned clang-19 on PATH", () => {
  expect(findTool("clang", { env: { PATH } })).toBe(Bun.which("clang-19")!);
  expect(findTool("llvm-strip", { env: { PATH } })).toBe(Bun.which("llvm-strip-19")!);
});

test("bpftool is found in sbin even when PATH lacks it", () => {
  expect(findTool("bpftool", { env: { PATH: "/nonexistent" } })).toMatch(/\/s?bin\/bpftool$/);
});

test("the explicit choice, then the environment variable, win", () => {
  const real = "/usr/lib/llvm-19/bin/clang";
  expect(findTool("clang", { explicit: real, env: { PATH, CLANG: "/nope" } })).toBe(real);
  expect(findTool("clang", { env: { PATH, CLANG: real } })).toBe(real);
  expect(findTool("clang", { env: { PATH, CLANG: "clang-19" } })).toBe(Bun.which("clang-19")!);
});

test("llvm-strip is taken from beside an explicit clang path", () => {
  expect(findTool("llvm-strip", { nearClang: "/usr/lib/llvm-19/bin/clang", env: { PATH } })).toBe("/usr/lib/llvm-19/bin/llvm-strip");
});

test("a missing tool is a one-line CompileError saying what was tried", () => {
  const err = (() => {
    try {
      return findTool("clang", { env: { PATH: "/nonexistent" } });
    } catch (e) {
      return e;
    }
  })() as CompileError;
  expect(err).toBeInstanceOf(CompileError);
  expect(err.stage).toBe("tool");
  expect(err.message).toBe("clang not found: tried $CLANG, clang-19, clang on PATH (install clang-19 or pass --clang)");
  expect(() => findTool("clang", { explicit: "/nonexistent/clang" })).toThrow("clang not found: /nonexistent/clang is not an executable file");
  expect(() => findTool("clang", { env: { CLANG: "/etc/passwd" } })).toThrow("$CLANG=/etc/passwd is not an executable file");
});
