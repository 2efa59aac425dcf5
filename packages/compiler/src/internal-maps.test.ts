import { expect, test } from "bun:test";
import { internalMapIdent, internalMapName } from "./internal-maps.ts";

test("internalMapName follows libbpf's 15-character rule", () => {
  expect(internalMapName("bootstrap_bpf", ".rodata")).toBe("bootstra.rodata");
  expect(internalMapName("bootstrap_bpf", ".bss")).toBe("bootstra.bss"); // suffix budget is at least 7
  expect(internalMapName("bootstrap_bpf", ".data")).toBe("bootstra.data");
  expect(internalMapName("bootstrap_bpf", ".kconfig")).toBe("bootstr.kconfig");
  expect(internalMapName("ab", ".rodata")).toBe("ab.rodata");
  // Two dots: a custom section, named alone and cut to 15 characters.
  expect(internalMapName("bootstrap_bpf", ".rodata.str1.1")).toBe(".rodata.str1.1");
  expect(internalMapName("x", ".data.a_very_long_name")).toBe(".data.a_very_lo");
});

test("internalMapIdent is the section part as an identifier", () => {
  expect(internalMapIdent("bootstra.rodata")).toBe("rodata");
  expect(internalMapIdent("bootstra.bss")).toBe("bss");
  expect(internalMapIdent(".rodata.str1.1")).toBe("rodata_str1_1");
});
