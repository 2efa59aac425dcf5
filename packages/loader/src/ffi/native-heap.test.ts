import { describe, expect, test } from "bun:test";
import { setHeapTopPad } from "./native-heap.ts";

describe("setHeapTopPad", () => {
  test("glibc takes the padding (this machine's libc is glibc)", () => {
    expect(setHeapTopPad(16 * 1024 * 1024)).toBe(true);
    expect(setHeapTopPad(128 * 1024)).toBe(true); // glibc's default, restored
  });

  test("sizes mallopt cannot take are refused before the call", () => {
    expect(() => setHeapTopPad(-1)).toThrow("heap padding must be an integer from 0 to 2147483647, not -1");
    expect(() => setHeapTopPad(2 ** 31)).toThrow("not 2147483648");
    expect(() => setHeapTopPad(1.5)).toThrow("not 1.5");
  });
});
