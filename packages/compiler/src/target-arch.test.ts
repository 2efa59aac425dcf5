import { expect, test } from "bun:test";
import { CompileError } from "./errors.ts";
import { targetArch } from "./target-arch.ts";

test("targetArch maps Bun's architecture names to __TARGET_ARCH_ suffixes", () => {
  expect(targetArch("x64")).toBe("x86");
  expect(targetArch("arm64")).toBe("arm64");
  expect(() => targetArch("vax")).toThrow(CompileError);
});
