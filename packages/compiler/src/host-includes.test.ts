import { expect, test } from "bun:test";
import { findTool } from "./find-tool.ts";
import { hostIncludeDirs } from "./host-includes.ts";

test("reports the host's multiarch include directory that -target bpf lacks", async () => {
  const dirs = await hostIncludeDirs(findTool("clang"));
  expect(dirs).toContain("/usr/include");
  expect(dirs).toContain(`/usr/include/${process.arch === "x64" ? "x86_64" : "aarch64"}-linux-gnu`);
  expect(dirs.every((d) => d.startsWith("/") && d === d.trim())).toBe(true);
});
