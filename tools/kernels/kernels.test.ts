import { describe, expect, test } from "bun:test";
import { MATRIX, selectedKernels } from "./kernels.ts";

describe("selectedKernels", () => {
  test("every kernel without KERNELS, the named ones with it", () => {
    expect(selectedKernels(undefined)).toBe(MATRIX);
    expect(selectedKernels("debian-6.1").map((k) => k.name)).toEqual(["debian-6.1"]);
    expect(selectedKernels(" native , debian-6.1 ").map((k) => k.name)).toEqual(["native", "debian-6.1"]);
  });

  test("an unknown name is an error naming the known ones", () => {
    expect(() => selectedKernels("native,mainline")).toThrow("KERNELS names unknown kernels: mainline (known: native, debian-6.1)");
  });
});
