import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { compileFixture } from "../../fixtures/compile.ts";
import { btfFromElf, parseBtf } from "../btf/parse.ts";
import type { Btf } from "../btf/btf.ts";
import { createDecoder } from "../decode/create-decoder.ts";
import { parseElf } from "../elf.ts";
import { DecodeError } from "../errors.ts";
import { formatJson } from "./format-json.ts";
import { createJsonWriter } from "./json-writer.ts";

const btf = btfFromElf(parseElf(compileFixture("kinds.bpf.c")));
const eventId = btf.find("event", "struct")!.id;
const COMM = 65; // char comm[16] in struct event
const TAG = 84; // char tag[4] in struct inner at 82

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}

/** What the writer must produce: the decoder's value through formatJson, a newline, UTF-8. */
function expected(b: Btf, id: number, rec: Uint8Array, offset = 0): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${formatJson(createDecoder(b, id)(rec, offset))}\n`);
}

function written(write: ReturnType<typeof createJsonWriter>, rec: Uint8Array, offset = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 << 16);
  const end = write(rec, offset, out, 7);
  expect(end).toBeGreaterThan(7);
  return out.subarray(7, end);
}

describe("createJsonWriter", () => {
  test("equals formatJson(decode(bytes)) + newline, byte for byte, on 3000 random records", () => {
    const write = createJsonWriter(btf, eventId);
    const out = new Uint8Array(1 << 16);
    let pos = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const rec = randomBytes(208, seed);
      // Vary the strings: cut short, plain printable ASCII, ASCII with escapes.
      if (seed % 3 === 0) rec[70] = 0;
      if (seed % 4 === 1) for (let i = 0; i < 16; i++) rec[COMM + i] = 0x20 + (rec[COMM + i] % 95);
      if (seed % 4 === 2) for (let i = 0; i < 16; i++) rec[COMM + i] = rec[COMM + i] & 0x7f;
      if (seed % 5 === 0) for (let i = 0; i < 4; i++) rec[TAG + i] = 0x61 + (rec[TAG + i] % 26);
      // Many lines in one buffer, as the CLI writes them.
      if (pos > 60000) pos = 0;
      const end = write(rec, 0, out, pos);
      const want = expected(btf, eventId, rec);
      expect(out.subarray(pos, end)).toEqual(want);
      JSON.parse(new TextDecoder().decode(out.subarray(pos, end)));
      pos = end;
    }
  });

  test("records at an offset inside a shared buffer (ring buffer pages)", () => {
    const write = createJsonWriter(btf, eventId);
    const area = randomBytes(208 * 8 + 24, 99);
    const view = area.subarray(16);
    for (let i = 0; i < 8; i++) expect(written(write, view, i * 208)).toEqual(expected(btf, eventId, view, i * 208));
  });

  test("strings full of escapes, control bytes, non-ASCII and invalid UTF-8", () => {
    const write = createJsonWriter(btf, eventId);
    const cases: number[][] = [
      [0x22, 0x5c, 0x2f, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x01, 0x1f, 0x7f, 0x41],
      [0xc3, 0xa9, 0x74, 0xc3, 0xa9], // "été"
      [0xe2, 0x82, 0xac, 0x22, 0xf0, 0x9f, 0x98, 0x80, 0x0a], // "€\"😀\n"
      [0xff, 0xfe, 0x80, 0x41, 0xc3], // invalid bytes and a truncated sequence
      [0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf], // encoded surrogates: invalid in UTF-8
      [0xf4, 0x90, 0x80, 0x80, 0xc0, 0xaf, 0xe0, 0x80], // above U+10FFFF, overlong forms
      [0x41, 0x42, 0xe2, 0x82], // truncated at the end of the array
      [0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x5c, 0x5c, 0x00, 0xff], // NUL stops the string
      [],
    ];
    const next = random(7);
    for (let r = 0; r < 500; r++) cases.push(Array.from({ length: 16 }, () => [0x22, 0x5c, 0x0a, 0x80, 0xc3, 0xe2, 0xf0, 0x41, next()][next() % 9]));
    for (const bytes of cases) {
      const rec = new Uint8Array(208);
      rec.fill(0x58, COMM, COMM + 16); // the string fills its array: no NUL
      rec.set(bytes.slice(0, 16), COMM);
      if (bytes.length < 16) rec[COMM + bytes.length] = 0;
      expect(written(write, rec)).toEqual(expected(btf, eventId, rec));
    }
  });

  test("64-bit and 128-bit integers at every edge print exactly", () => {
    const write = createJsonWriter(btf, eventId);
    const rec = new Uint8Array(208);
    const dv = new DataView(rec.buffer);
    const edges = [0n, 1n, 9n, 10n, 99999999n, 100000000n, 0xffffffffn, 0x100000000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n,
      999999n * 2n ** 32n, 10n ** 15n, 10n ** 16n - 1n, 10n ** 19n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 0x1fffff_ffffffffn, 0x200000_00000000n];
    const next = random(3);
    for (let i = 0; i < 2000; i++) {
      let v = 0n;
      for (let j = 0; j < 8; j++) v = (v << 8n) | BigInt(next());
      edges.push(v >> BigInt(next() % 64));
    }
    for (const e of edges) {
      dv.setBigUint64(16, e, true);
      dv.setBigInt64(24, BigInt.asIntN(64, -e), true);
      dv.setBigUint64(184, BigInt.asUintN(64, e * 7n), true);
      dv.setBigUint64(32, e, true); // s128 low half
      dv.setBigInt64(40, -1n, true); // s128 high half: negative
      dv.setBigUint64(48, e, true);
      dv.setBigUint64(56, e, true);
      const got = written(write, rec);
      expect(got).toEqual(expected(btf, eventId, rec));
      const text = new TextDecoder().decode(got);
      expect(text).toContain(`"u64":${e}`);
      expect(text).toContain(`"s64":${BigInt.asIntN(64, -e)}`);
    }
  });

  test("returns -1 when out has no room, writes nothing past out.length, and a retry gives the line", () => {
    const write = createJsonWriter(btf, eventId);
    const rec = randomBytes(208, 5);
    rec.fill(0x61, COMM, COMM + 16);
    const want = expected(btf, eventId, rec);
    // Every size of `out` below the line's length, writing at its start or near its end.
    for (let len = 0; len < want.length + 3; len++) {
      const backing = new Uint8Array(len + 64).fill(0xee);
      const out = backing.subarray(0, len);
      for (const pos of [0, Math.max(0, len - 10), len]) {
        const end = write(rec, 0, out, pos);
        if (len - pos >= want.length) {
          expect(end).toBe(pos + want.length);
          expect(out.subarray(pos, end)).toEqual(want);
        } else {
          expect(end).toBe(-1);
        }
        expect(backing.subarray(len).every((c) => c === 0xee)).toBe(true);
      }
    }
    const big = new Uint8Array(4096);
    expect(big.subarray(0, write(rec, 0, big, 0))).toEqual(want);
  });

  test("short records and bad output positions throw DecodeError", () => {
    const write = createJsonWriter(btf, eventId);
    const out = new Uint8Array(4096);
    expect(() => write(new Uint8Array(10), 0, out, 0)).toThrow(DecodeError);
    expect(() => write(new Uint8Array(208), 1, out, 0)).toThrow("record too short for struct event");
    expect(() => write(new Uint8Array(208), 0, out, -1)).toThrow(DecodeError);
    expect(() => write(new Uint8Array(208), 0, new Uint8Array(10), 0.5)).toThrow(DecodeError);
  });

  test("other types of the fixture: inner struct, odd field names", () => {
    for (const name of ["inner", "odd_names", "spellings"]) {
      const id = btf.find(name, "struct")!.id;
      const write = createJsonWriter(btf, id);
      for (let seed = 1; seed <= 200; seed++) {
        const rec = randomBytes(btf.sizeOf(id), seed);
        expect(written(write, rec)).toEqual(expected(btf, id, rec));
      }
    }
  });

  test.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("matches the decoder on kernel structs (bitfields, unions, arrays)", () => {
    const k = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    for (const name of ["task_struct", "sk_buff", "file", "inode", "perf_event_attr"]) {
      const id = k.find(name, "struct")!.id;
      const write = createJsonWriter(k, id);
      for (let seed = 1; seed <= 3; seed++) {
        const rec = randomBytes(k.sizeOf(id), name.length * seed);
        const out = new Uint8Array(1 << 20);
        expect(out.subarray(0, write(rec, 0, out, 0))).toEqual(expected(k, id, rec));
      }
    }
  });
});
