import { describe, expect, test } from "bun:test";
import { writeI32, writeI64, writeInt, writeJsonText, writePos, writeU32, writeU64 } from "./json-bytes.ts";

const dec = new TextDecoder();
const out = new Uint8Array(256);
const text = (end: number, start = 0) => dec.decode(out.subarray(start, end));

describe("json-bytes digit writers", () => {
  test("writePos, writeU32, writeI32 and writeInt print like String(n)", () => {
    const values = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 99999999, 100000000, 2147483647, 2147483648, 4294967295, 4294967296, 2 ** 53 - 1, 1e15, 1e15 - 1, 1e16 - 2];
    for (let i = 0; i < 300000; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 53))));
    for (let i = 0; i < 100000; i++) values.push(i);
    for (const n of values) {
      if (n < 2 ** 31) expect(text(writePos(out, 3, n), 3)).toBe(String(n));
      if (n < 2 ** 32) {
        expect(text(writeU32(out, 0, n | 0))).toBe(String(n));
        expect(text(writeI32(out, 0, n | 0))).toBe(String(n | 0));
      }
      expect(text(writeInt(out, 0, n))).toBe(String(n));
      expect(text(writeInt(out, 0, -n))).toBe(String(-n === 0 ? 0 : -n));
    }
  });

  test("writeU64/writeI64 from 32-bit halves match BigInt", () => {
    const dv = new DataView(new ArrayBuffer(8));
    const edges = [0n, 1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 64n - 2n ** 31n, 2n ** 64n - 2n ** 31n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 0x200000n << 32n, (0x200000n << 32n) - 1n];
    for (let i = 0; i < 100000; i++) edges.push(BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 32)) << BigInt(i % 33) | BigInt(i)));
    for (const v of edges) {
      dv.setBigUint64(0, v, true);
      expect(text(writeU64(out, 0, dv.getInt32(4, true), dv.getInt32(0, true)))).toBe(v.toString());
      expect(text(writeI64(out, 0, dv.getInt32(4, true), dv.getInt32(0, true)))).toBe(BigInt.asIntN(64, v).toString());
    }
  });

  test("writeJsonText escapes like JSON.stringify, lone surrogates included", () => {
    for (const s of ["plain", 'q"b\\s', "\b\f\n\r\t\x00\x1f\x7f", "é€😀", "\ud800x", "x\udc00", "\udbff\udfff", ""]) {
      const end = writeJsonText(out, 0, s);
      expect(`"${text(end)}"`).toBe(JSON.stringify(s));
    }
  });
});
