import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { parseElf } from "@eunomia/decoder";
import { compileFixture } from "../../fixtures/compile-fixture.ts";
import { btfTypesToColumns, columnsToBtfTypes } from "./btf-columns.ts";

/** The type section of the BTF in an ELF object. */
function btfTypes(elf: Uint8Array): Uint8Array {
  const section = parseElf(elf).sections.find((s) => s.name === ".BTF")!;
  const view = new DataView(elf.buffer, elf.byteOffset + section.offset);
  const start = section.offset + view.getUint32(4, true) + view.getUint32(8, true);
  return elf.subarray(start, start + view.getUint32(12, true));
}

/** A raw BTF type section from hand-made records (12-byte headers, then trailers). */
function records(...words: number[][]): Uint8Array {
  const flat = words.flat();
  const out = new Uint8Array(flat.length * 4);
  const view = new DataView(out.buffer);
  flat.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}
const info = (kind: number, vlen = 0, kflag = 0) => ((kflag << 31) | (kind << 24) | vlen) >>> 0;

describe("BTF type columns", () => {
  test("restore every fixture's types byte for byte, in fewer bytes", () => {
    for (const name of ["kill-echo", "perf-echo", "map-ops", "ring-loss"]) {
      const types = btfTypes(compileFixture(name, { stripped: true }));
      const columns = btfTypesToColumns(types);
      expect(columnsToBtfTypes(columns)).toEqual(types);
      expect(columns.length).toBeLessThan(types.length / 2);
    }
  });

  test("restore this kernel's whole BTF (every kind it uses)", () => {
    const path = "/sys/kernel/btf/vmlinux";
    if (!existsSync(path)) throw new Error(`${path} is missing: the kernel has no BTF`);
    const raw = new Uint8Array(readFileSync(path));
    const view = new DataView(raw.buffer);
    const start = view.getUint32(4, true) + view.getUint32(8, true);
    const types = raw.subarray(start, start + view.getUint32(12, true));
    expect(columnsToBtfTypes(btfTypesToColumns(types))).toEqual(types);
  });

  test("restore edge values: bitfields, negative enums, enum64, huge offsets, back references", () => {
    const types = records(
      [1, info(1), 4, 0x01000020], // int, 32 bits
      [5, info(4, 3, 1), 8, 9, 1, 0x03000000, 11, 1, 0x05000003, 13, 1, 0xffffff], // struct with bitfields
      [15, info(6, 2), 4, 17, -1, 19, -0x80000000], // enum with negative values
      [21, info(19, 1), 8, 23, 0xffffffff, 0x7fffffff], // enum64
      [25, info(4, 2), 0xffffffff, 27, 1, 0xfffffff0, 29, 3, 0], // offsets going backwards, far refs
      [0, info(2), 1], // pointer back to type 1
      [31, info(13, 2), 0, 0, 1, 33, 6], // func_proto
      [35, info(12, 0), 7], // func
      [37, info(14), 1, 1], // var
      [39, info(15, 1), 4, 9, 0, 4], // datasec
      [41, info(16), 8], // float
      [43, info(17), 9, 0xffffffff], // decl_tag on the whole type
      [45, info(18), 1], // type_tag
      [47, info(7, 0, 1), 0], // fwd union
      [0, info(3), 0, 1, 1, 16], // array
    );
    expect(columnsToBtfTypes(btfTypesToColumns(types))).toEqual(types);
  });

  test("refuse what they could not restore: unknown kinds, undefined bits, truncated records", () => {
    expect(() => btfTypesToColumns(records([1, info(30), 0]))).toThrow(/kind 30/);
    expect(() => btfTypesToColumns(records([1, info(1) | 0x00010000, 4, 32]))).toThrow(/undefined bits/);
    expect(() => btfTypesToColumns(records([1, info(7), 5]))).toThrow(/must be 0/);
    expect(() => btfTypesToColumns(records([1, info(4, 2), 8, 1, 1, 0]))).toThrow(/truncated/);
    expect(() => btfTypesToColumns(new Uint8Array(7))).toThrow(/truncated/);
  });

  test("malformed columns throw an Error, never hang or return garbage silently", () => {
    const columns = btfTypesToColumns(btfTypes(compileFixture("map-ops", { stripped: true })));
    expect(() => columnsToBtfTypes(columns.subarray(0, columns.length - 3))).toThrow();
    expect(() => columnsToBtfTypes(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0))).toThrow(/ends early/);
    expect(() => columnsToBtfTypes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7))).toThrow(/more than their types/);
    // Random bytes: whatever they decode to, decoding ends with an Error or a result.
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: 1 + (i % 64) }, next);
      try {
        columnsToBtfTypes(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
      }
    }
  });
});
