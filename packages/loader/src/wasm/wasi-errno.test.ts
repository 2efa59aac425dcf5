import { expect, test } from "bun:test";
import { wasiError } from "./wasi-errno.ts";

test("Linux errno values become the module's (WASI) negative errno values", () => {
  expect(wasiError(4)).toBe(-27); // EINTR
  expect(wasiError(2)).toBe(-44); // ENOENT
  expect(wasiError(22)).toBe(-28); // EINVAL
  expect(wasiError(9)).toBe(-8); // EBADF
  expect(wasiError(17)).toBe(-20); // EEXIST
  expect(wasiError(-1)).toBe(-63); // EPERM, given negative
  expect(wasiError(4007)).toBe(-29); // a libbpf code: EIO
});
