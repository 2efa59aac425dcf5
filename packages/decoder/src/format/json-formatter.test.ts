import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { compileFixture } from "../../fixtures/compile.ts";
import { btfFromElf, parseBtf } from "../btf/parse.ts";
import { createDecoder } from "../decode/create-decoder.ts";
import { parseElf } from "../elf.ts";
import { DecodeError } from "../errors.ts";
import { formatJson } from "./format-json.ts";
import { createJsonFormatter } from "./json-formatter.ts";

const btf = btfFromElf(parseElf(compileFixture("kinds.bpf.c")));
const eventId = btf.find("event", "struct")!.id;

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = seed >>> 24;
  }
  return out;
}

describe("createJsonFormatter", () => {
  test("equals formatJson(decode(bytes)) on random records, and the JSON parses", () => {
    const toJson = createJsonFormatter(btf, eventId);
    const decode = createDecoder(btf, eventId);
    for (let seed = 1; seed <= 2000; seed++) {
      const rec = randomBytes(208, seed);
      if (seed % 3 === 0) rec[70] = 0; // some strings end early
      const text = toJson(rec);
      expect(text).toBe(formatJson(decode(rec)));
      JSON.parse(text);
    }
  });

  test("64-bit integers at every edge print exactly without bigint rounding", () => {
    const toJson = createJsonFormatter(btf, eventId);
    const rec = new Uint8Array(208);
    const dv = new DataView(rec.buffer);
    const edges = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 0xffffffffn, 0x100000000n, 999999n * 2n ** 32n];
    for (const e of edges) {
      dv.setBigUint64(16, e, true);
      dv.setBigInt64(24, BigInt.asIntN(64, -e), true);
      const v = JSON.parse(toJson(rec).replace(/"(u64|s64)":(-?\d+)/g, '"$1":"$2"'));
      expect(BigInt(v.u64)).toBe(e);
      expect(BigInt(v.s64)).toBe(BigInt.asIntN(64, -e));
    }
  });

  test("short records throw DecodeError", () => {
    expect(() => createJsonFormatter(btf, eventId)(new Uint8Array(10))).toThrow(DecodeError);
  });

  test.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("matches the decoder on kernel structs", () => {
    const k = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    for (const name of ["task_struct", "sk_buff", "file", "inode"]) {
      const id = k.find(name, "struct")!.id;
      const rec = randomBytes(k.sizeOf(id), name.length);
      expect(createJsonFormatter(k, id)(rec)).toBe(formatJson(createDecoder(k, id)(rec)));
    }
  });
});
