import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { compileFixture } from "../../fixtures/compile.ts";
import { Btf } from "../btf/btf.ts";
import { btfFromElf, parseBtf } from "../btf/parse.ts";
import { parseElf } from "../elf.ts";
import { BtfError, DecodeError } from "../errors.ts";
import { createJsonFormatter } from "../format/json-formatter.ts";
import { formatJson } from "../format/format-json.ts";
import { createDecoder } from "./create-decoder.ts";

const btf = btfFromElf(parseElf(compileFixture("kinds.bpf.c")));
const eventId = btf.find("event", "struct")!.id;
const enc = new TextEncoder();

/** A `struct event` image; offsets are the ones the fixture's _Static_asserts pin down. */
function eventImage(): Uint8Array {
  const b = new Uint8Array(208);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, 255);
  dv.setInt8(1, -128);
  dv.setUint16(2, 65535, true);
  dv.setInt16(4, -32768, true);
  dv.setUint32(8, 4294967295, true);
  dv.setInt32(12, -2147483648, true);
  dv.setBigUint64(16, 18446744073709551615n, true);
  dv.setBigInt64(24, -9223372036854775808n, true);
  // s128 = -2^127: low half 0, high half 0x8000...; u128 = 2^128-1: all ones.
  dv.setBigUint64(32, 0n, true);
  dv.setBigUint64(40, 0x8000000000000000n, true);
  dv.setBigUint64(48, 0xffffffffffffffffn, true);
  dv.setBigUint64(56, 0xffffffffffffffffn, true);
  dv.setUint8(64, 1);
  b.set(enc.encode("bash\0garbage"), 65);
  dv.setUint16(82, 8080, true);
  b.set(enc.encode("abcd"), 84); // fills char[4] with no NUL
  dv.setFloat32(88, 1.5, true); // anonymous union: as_u32 sees the same bits
  [7, -8, 9].forEach((v, i) => dv.setInt32(92 + 4 * i, v, true));
  for (let i = 0; i < 6; i++) dv.setInt32(104 + 4 * i, i * 10, true);
  dv.setInt32(128, -3, true);
  dv.setBigUint64(136, 0x8000000000000000n, true);
  // bf_a:3 = 5, bf_b:5 = 17, bf_c:4 = -2 (0b1110), packed LSB first from byte 144.
  dv.setUint32(144, 5 | (17 << 3) | (0b1110 << 8), true);
  dv.setFloat32(148, -0.25, true);
  dv.setFloat64(152, Math.PI, true);
  dv.setBigUint64(160, 0xffff888812345678n, true);
  dv.setInt32(168, 4242, true);
  dv.setInt32(172, -1, true);
  b.set([0xde, 0xad, 0xbe, 0xef], 176);
  b.set([0x41, 0x42, 0], 180); // signed char[3] is numbers: only plain char arrays are text
  dv.setBigUint64(184, 42n, true);
  dv.setInt32(192, 77, true);
  dv.setBigUint64(200, 0x1000n, true);
  return b;
}

const expected = {
  u8: 255, s8: -128, u16: 65535, s16: -32768, u32: 4294967295, s32: -2147483648,
  u64: 18446744073709551615n, s64: -9223372036854775808n,
  s128: -(2n ** 127n), u128: 2n ** 128n - 1n,
  flag: true, comm: "bash", in: { port: 8080, tag: "abcd" },
  as_u32: 0x3fc00000, as_float: 1.5,
  ints: [7, -8, 9], grid: [[0, 10, 20], [30, 40, 50]],
  kind: "EV_NEG", big: "BIG_HIGH", bf_a: 5, bf_b: 17, bf_c: -2,
  f32: -0.25, f64: Math.PI, next: 0xffff888812345678n, pid: 4242, cv_pid: -1,
  raw: [0xde, 0xad, 0xbe, 0xef], sraw: [65, 66, 0], alias64: 42n, tagged: 77, uptr: 0x1000n,
};

describe("createDecoder", () => {
  test("decodes every kind of member exactly, keys in declaration order", () => {
    const decode = createDecoder(btf, eventId);
    expect(decode.size).toBe(208);
    const v = decode(eventImage()) as Record<string, unknown>;
    expect(v).toEqual(expected);
    expect(Object.keys(v)).toEqual(Object.keys(expected));
    expect(typeof v.u64).toBe("bigint");
    expect(typeof v.u32).toBe("number");
  });

  test("reads at an offset inside a larger shared buffer", () => {
    const decode = createDecoder(btf, eventId);
    const big = new Uint8Array(1000);
    big.set(eventImage(), 300);
    expect(decode(big.subarray(100), 200)).toEqual(expected);
    expect(decode(big, 300)).toEqual(expected);
    // A second buffer must not reuse the first one's views.
    expect((decode(eventImage()) as Record<string, unknown>).pid).toBe(4242);
  });

  test("unknown enum values decode as numbers", () => {
    const img = eventImage();
    new DataView(img.buffer).setInt32(128, 99, true);
    new DataView(img.buffer).setBigUint64(136, 5n, true);
    const v = createDecoder(btf, eventId)(img) as Record<string, unknown>;
    expect(v.kind).toBe(99);
    expect(v.big).toBe(5n);
  });

  test("strings: invalid UTF-8 becomes U+FFFD, valid UTF-8 decodes, no NUL means all N bytes", () => {
    const img = eventImage();
    img.set([0x68, 0xff, 0x69, 0], 65);
    const decode = createDecoder(btf, eventId);
    expect((decode(img) as Record<string, unknown>).comm).toBe("h\uFFFDi");
    img.fill(0, 65, 81);
    img.set(enc.encode("héllo"), 65);
    expect((decode(img) as Record<string, unknown>).comm).toBe("héllo");
    img.set(enc.encode("0123456789abcdef"), 65);
    expect((decode(img) as Record<string, unknown>).comm).toBe("0123456789abcdef");
  });

  test("scalars and globals decode on their own", () => {
    const varType = (name: string) => (btf.find(name, "var") as { typeId: number }).typeId;
    const m = new Uint8Array(32);
    new Int32Array(m.buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(createDecoder(btf, varType("matrix"))(m)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(createDecoder(btf, varType("min_duration_ns"))(new Uint8Array(8).fill(255))).toBe(18446744073709551615n);
    expect(createDecoder(btf, btf.find("min_duration_ns", "var")!.id)(new Uint8Array(8))).toBe(0n);
    expect(createDecoder(btf, varType("verbose"))(new Uint8Array([2]))).toBe(true);
    expect(createDecoder(btf, varType("only_kind"))(new Uint8Array([2, 0, 0, 0]))).toBe("EV_EXIT");
  });

  test("C fields named like Object.prototype members are own data keys", () => {
    const decode = createDecoder(btf, btf.find("odd_names", "struct")!.id);
    const v = decode(new Uint8Array(new Int32Array([1, 2, 3]).buffer)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getOwnPropertyDescriptor(v, "__proto__")?.value).toBe(1);
    expect(Object.getOwnPropertyDescriptor(v, "toString")?.value).toBe(3);
  });

  test("short records and bad offsets throw DecodeError", () => {
    const decode = createDecoder(btf, eventId);
    expect(() => decode(new Uint8Array(207))).toThrow(new DecodeError("record too short for struct event: need 208 bytes at offset 0, have 207"));
    expect(() => decode(new Uint8Array(208), 1)).toThrow(DecodeError);
    expect(() => decode(new Uint8Array(300), -1)).toThrow(DecodeError);
    expect(() => decode(new Uint8Array(300), 0.5)).toThrow(DecodeError);
  });

  test("a laid-out datasec decodes as an object of its variables; an object file's does not", () => {
    const sec = btf.find(".rodata", "datasec")!;
    expect(() => createDecoder(btf, sec.id)).toThrow("cannot decode section .rodata: variable 'min_duration_ns' at 0+8 lies outside its 0 bytes");
    if (sec.kind !== "datasec") throw new Error("not a datasec");
    // Lay it out the way libbpf does before load: min_duration_ns at 0, target_pid at 8.
    const laid = new Btf(btf.types.map((t) => (t.id !== sec.id ? t : { ...sec, size: 12, vars: [{ ...sec.vars[0], offset: 0 }, { ...sec.vars[1], offset: 8 }] })));
    const img = new Uint8Array(12);
    new DataView(img.buffer).setBigUint64(0, 5n, true);
    new DataView(img.buffer).setInt32(8, -1, true);
    expect(createDecoder(laid, sec.id)(img)).toEqual({ min_duration_ns: 5n, target_pid: -1 });
  });

  test("types without a value are refused at build time", () => {
    expect(() => createDecoder(btf, 0)).toThrow("BTF type 0 (void) has no size");
    expect(() => createDecoder(btf, btf.find("handle_exec")!.id)).toThrow("has no size");
  });

  test("garbled BTF: building and running decoders fails only with typed errors", () => {
    const blob = parseElf(compileFixture("kinds.bpf.c")).section(".BTF")!.data;
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let built = 0;
    for (let i = 0; i < 1500; i++) {
      const bad = blob.slice();
      for (let k = 0; k < 3; k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      let b;
      try { b = parseBtf(bad); } catch (e) { if (e instanceof BtfError) continue; throw e; }
      for (const t of b.types) {
        if (t.kind !== "struct" && t.kind !== "union" && t.kind !== "var") continue;
        try {
          const d = createDecoder(b, t.id);
          const j = createJsonFormatter(b, t.id);
          if (d.size > 1 << 20) continue;
          const rec = new Uint8Array(d.size).map(() => Math.floor(rand() * 256));
          // Garbled names can look like integers ("2"), which JS objects list first: compare as data.
          expect(JSON.parse(j(rec))).toEqual(JSON.parse(formatJson(d(rec))));
          built++;
        } catch (e) {
          if (!(e instanceof BtfError || e instanceof DecodeError)) throw new Error(`case ${i} type ${t.id}: ${String(e)}`);
        }
      }
    }
    expect(built).toBeGreaterThan(1000);
  });

  test.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("decodes real kernel BTF structs", () => {
    const k = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    const task = k.find("task_struct", "struct")!;
    const v = createDecoder(k, task.id)(new Uint8Array(k.sizeOf(task.id))) as Record<string, unknown>;
    expect(v.pid).toBe(0);
    expect(v.comm).toBe("");
  });
});
