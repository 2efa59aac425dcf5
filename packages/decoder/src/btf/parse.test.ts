import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { compileFixture } from "../../fixtures/compile.ts";
import { parseElf } from "../elf.ts";
import { BtfError, ElfError } from "../errors.ts";
import { btfFromElf, parseBtf } from "./parse.ts";
import type { BtfType } from "./types.ts";

const obj = compileFixture("kinds.bpf.c");
const btfBytes = parseElf(obj).section(".BTF")!.data;

const LINKAGE = ["static", "global", "extern"];

/** Our type in the shape `bpftool -j btf dump` prints, so the two can be compared field by field. */
function asBpftool(t: BtfType): Record<string, unknown> {
  const base = { id: t.id, kind: t.kind.toUpperCase(), name: t.name || "(anon)" };
  switch (t.kind) {
    case "void": return base;
    case "int": return { ...base, size: t.size, bits_offset: t.bitOffset, nr_bits: t.bits, encoding: t.signed ? "SIGNED" : t.char ? "CHAR" : t.bool ? "BOOL" : "(none)" };
    case "ptr": case "typedef": case "const": case "volatile": case "restrict": case "type_tag": return { ...base, type_id: t.typeId };
    case "array": return { ...base, type_id: t.elemTypeId, index_type_id: t.indexTypeId, nr_elems: t.length };
    case "struct": case "union": return { ...base, size: t.size, vlen: t.members.length, members: t.members.map((m) => ({ name: m.name || "(anon)", type_id: m.typeId, bits_offset: m.bitOffset, ...(m.bitSize ? { bitfield_size: m.bitSize } : {}) })) };
    case "enum": case "enum64": return { ...base, encoding: t.signed ? "SIGNED" : "UNSIGNED", size: t.size, vlen: t.values.length, values: t.values.map((v) => ({ name: v.name, val: Number(bpftoolEnumQuirk(t.kind, t.signed, v.value)) })) };
    case "fwd": return { ...base, fwd_kind: t.union ? "union" : "struct" };
    case "func": return { ...base, type_id: t.typeId, linkage: LINKAGE[t.linkage] };
    case "func_proto": return { ...base, ret_type_id: t.returnTypeId, vlen: t.params.length, params: t.params.map((p) => ({ name: p.name || "(anon)", type_id: p.typeId })) };
    case "var": return { ...base, type_id: t.typeId, linkage: LINKAGE[t.linkage] };
    case "datasec": return { ...base, size: t.size, vlen: t.vars.length, vars: t.vars.map((v) => ({ type_id: v.typeId, offset: v.offset, size: v.size })) };
    case "float": return { ...base, size: t.size };
    case "decl_tag": return { ...base, type_id: t.typeId, component_idx: t.componentIdx };
  }
}

/** bpftool 7.1's JSON sign-extends unsigned 32-bit enum values (its text output is right). */
function bpftoolEnumQuirk(kind: string, signed: boolean, v: bigint): bigint {
  return kind === "enum" && !signed ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : v;
}

function bpftoolTypes(path: string): Record<string, unknown>[] {
  const r = Bun.spawnSync(["bpftool", "-j", "btf", "dump", "file", path]);
  if (r.exitCode !== 0) throw new Error(`bpftool failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()).types;
}

describe("parseBtf", () => {
  test("agrees with bpftool on every type of the fixture", () => {
    const path = `${tmpdir()}/btf-test-${process.pid}.o`;
    writeFileSync(path, obj);
    try {
      const btf = parseBtf(btfBytes);
      expect(btf.types[0]).toEqual({ kind: "void", id: 0, name: "" });
      expect(btf.types.slice(1).map(asBpftool)).toEqual(bpftoolTypes(path));
    } finally {
      unlinkSync(path);
    }
  });

  test("reads enum64, decl_tag and type_tag exactly", () => {
    const btf = parseBtf(btfBytes);
    const big = btf.find("big_flags", "enum64");
    expect(big?.kind === "enum64" && big.values).toEqual([{ name: "BIG_LOW", value: 1n }, { name: "BIG_HIGH", value: 0x8000000000000000n }]);
    const ev = btf.find("event_type", "enum");
    expect(ev?.kind === "enum" && ev.signed && ev.values.map((v) => v.value)).toEqual([1n, 2n, -3n]);
    const tag = btf.find("tagged", "decl_tag");
    expect(tag?.kind === "decl_tag" && btf.get(tag.typeId).name).toBe("event");
    const user = btf.find("user", "type_tag");
    expect(user?.kind === "type_tag" && btf.get(user.typeId).name).toBe("int");
  });

  test.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("agrees with bpftool on the running kernel's BTF", () => {
    const t0 = performance.now();
    const btf = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")));
    const ms = performance.now() - t0;
    const theirs = bpftoolTypes("/sys/kernel/btf/vmlinux");
    expect(btf.types.length - 1).toBe(theirs.length);
    for (let i = 1; i < btf.types.length; i++) {
      const ours = asBpftool(btf.types[i]);
      if (!Bun.deepEquals(ours, theirs[i - 1])) expect(ours).toEqual(theirs[i - 1]);
    }
    expect(btf.find("task_struct", "struct")?.kind).toBe("struct");
    expect(ms).toBeLessThan(2000);
  });

  test("btfFromElf needs a .BTF section", () => {
    const elf = parseElf(obj);
    expect(btfFromElf(elf).types.length).toBe(parseBtf(btfBytes).types.length);
    const noBtf = { ...elf, section: (name: string) => (name === ".BTF" ? undefined : elf.section(name)) };
    expect(() => btfFromElf(noBtf)).toThrow(new BtfError("object has no .BTF section (compile with clang -g)"));
  });

  test("bad headers are named", () => {
    expect(() => parseBtf(new Uint8Array(10))).toThrow("truncated BTF: header needs 24 bytes, got 10");
    const be = btfBytes.slice(); be[0] = 0xeb; be[1] = 0x9f;
    expect(() => parseBtf(be)).toThrow("unsupported BTF: big-endian");
    const v2 = btfBytes.slice(); v2[2] = 2;
    expect(() => parseBtf(v2)).toThrow("unsupported BTF version 2");
    const kind = btfBytes.slice(); kind[24 + 7] = 25; // kind byte of type 1's info word
    expect(() => parseBtf(kind)).toThrow("bad BTF: type 1 has unknown kind 25");
    const ref = btfBytes.slice(); new DataView(ref.buffer).setUint32(24 + 8, 100000, true); // type 1 (ptr) target
    expect(() => parseBtf(ref)).toThrow("bad BTF: type 1 target refers to type 100000, but only");
  });

  test("every prefix of the blob and of the object throws BtfError/ElfError or parses", () => {
    let parsed = 0;
    for (let n = 0; n <= btfBytes.length; n++) {
      try {
        parseBtf(btfBytes.slice(0, n));
        parsed++;
      } catch (e) {
        if (!(e instanceof BtfError)) throw new Error(`prefix ${n}: ${String(e)}`);
      }
    }
    expect(parsed).toBe(1);
    for (let n = 0; n <= obj.length; n += 7) {
      try { btfFromElf(parseElf(obj.subarray(0, n))); } catch (e) {
        if (!(e instanceof BtfError || e instanceof ElfError)) throw new Error(`object prefix ${n}: ${String(e)}`);
      }
    }
  });

  test("garbled blobs throw BtfError or parse, and parsed ones still lay out or fail typed", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const bad = btfBytes.slice();
      for (let k = 0; k < 3; k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        const btf = parseBtf(bad);
        for (const t of btf.types) {
          try { btf.sizeOf(t.id); btf.alignOf(t.id); btf.typeName(t.id); btf.resolve(t.id); } catch (e) {
            if (!(e instanceof BtfError)) throw e;
          }
        }
      } catch (e) {
        if (!(e instanceof BtfError)) throw new Error(`case ${i}: ${String(e)}`);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});
