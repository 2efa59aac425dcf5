import { expect, test } from "bun:test";
import { objectFileName, objNameFromPath } from "./obj-name.ts";

test("objNameFromPath: file name without .o, non-identifier characters as '_'", () => {
  expect(objNameFromPath("/x/bootstrap.bpf.o")).toBe("bootstrap_bpf");
  expect(objNameFromPath("my-prog.bpf.o")).toBe("my_prog_bpf");
  expect(objNameFromPath("plain")).toBe("plain");
});

test("objectFileName: prog.bpf.c becomes prog.bpf.o", () => {
  expect(objectFileName("/a/b/prog.bpf.c")).toBe("prog.bpf.o");
  expect(objectFileName("noext")).toBe("noext.o");
});
