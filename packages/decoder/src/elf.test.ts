import { describe, expect, test } from "bun:test";
import { unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { compileFixture } from "../fixtures/compile.ts";
import { EM_BPF, parseElf, SHT_NOBITS } from "./elf.ts";
import { ElfError } from "./errors.ts";

const obj = compileFixture("kinds.bpf.c");

/** Section names and sizes as llvm-readelf reports them, to check ours against an independent reader. */
function readelfSections(bytes: Uint8Array): { name: string; size: number }[] {
  const path = `${tmpdir()}/elf-test-${process.pid}.o`;
  writeFileSync(path, bytes);
  const r = Bun.spawnSync(["llvm-readelf-19", "-S", "--wide", path]);
  unlinkSync(path);
  const out: { name: string; size: number }[] = [];
  for (const line of r.stdout.toString().split("\n")) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(line);
    if (m && m[1] !== "0") out.push({ name: m[2], size: parseInt(m[3], 16) });
  }
  return out;
}

describe("parseElf", () => {
  test("reads header, sections and symbols of a clang BPF object", () => {
    const elf = parseElf(obj);
    expect(elf.machine).toBe(EM_BPF);
    expect(elf.type).toBe(1); // ET_REL
    const ours = elf.sections.slice(1).map((s) => ({ name: s.name, size: s.size }));
    expect(ours).toEqual(readelfSections(obj));
    const btf = elf.section(".BTF")!;
    expect(btf.data.length).toBe(btf.size);
    expect(btf.data[0] | (btf.data[1] << 8)).toBe(0xeb9f);
    const bss = elf.section(".bss")!;
    expect(bss.type).toBe(SHT_NOBITS);
    // counter (4 bytes, padded to 8) and three 8-byte dummy pointers.
    expect(bss.size).toBe(32);
    const bssEnd = elf.symbols.filter((s) => s.sectionIndex === bss.index).map((s) => Number(s.value + s.size));
    expect(Math.max(...bssEnd)).toBe(32);
    expect(bss.data.length).toBe(0);
    expect(elf.section(".nope")).toBeUndefined();

    expect(elf.symbols[0].name).toBe("");
    const prog = elf.symbols.find((s) => s.name === "handle_exec")!;
    expect(prog.type).toBe(2); // STT_FUNC
    expect(prog.bind).toBe(1); // STB_GLOBAL
    expect(elf.sections[prog.sectionIndex].name).toBe("tp/sched/sched_process_exec");
    const v = elf.symbols.find((s) => s.name === "min_duration_ns")!;
    expect(v.type).toBe(1); // STT_OBJECT
    expect(v.size).toBe(8n);
    expect(elf.sections[v.sectionIndex].name).toBe(".rodata");
  });

  test("section data are views into the input", () => {
    const elf = parseElf(obj);
    const lic = elf.section("license")!;
    expect(lic.data.buffer).toBe(obj.buffer);
    expect(new TextDecoder().decode(lic.data)).toBe("GPL\0");
  });

  test("bad magic, class and byte order are named", () => {
    expect(() => parseElf(new Uint8Array([1, 2, 3]))).toThrow("not an ELF file: bad magic");
    const c32 = obj.slice(); c32[4] = 1;
    expect(() => parseElf(c32)).toThrow("unsupported ELF: class 1 (only ELF64 is supported)");
    const be = obj.slice(); be[5] = 2;
    expect(() => parseElf(be)).toThrow("only little-endian");
  });

  test("truncated section header table names offsets and file size", () => {
    const cut = obj.subarray(0, 3000);
    const shoff = Number(new DataView(obj.buffer, obj.byteOffset).getBigUint64(40, true));
    const shnum = new DataView(obj.buffer, obj.byteOffset).getUint16(60, true);
    expect(shoff).toBeGreaterThan(3000);
    expect(() => parseElf(cut)).toThrow(`truncated ELF: section header offset ${shoff} beyond file size 3000`);
    const cut2 = obj.subarray(0, shoff + 100);
    expect(() => parseElf(cut2)).toThrow(`truncated ELF: section header table at ${shoff}+${shnum * 64} beyond file size ${shoff + 100}`);
  });

  test("every prefix of the object throws ElfError or parses", () => {
    let parsed = 0;
    for (let n = 0; n <= obj.length; n++) {
      try {
        parseElf(obj.subarray(0, n));
        parsed++;
      } catch (e) {
        if (!(e instanceof ElfError)) throw new Error(`prefix ${n}: ${String(e)}`);
      }
    }
    expect(parsed).toBe(1); // only the whole file: its section headers sit at the end
  });

  test("garbled headers throw ElfError, never anything else", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const shoff = Number(new DataView(obj.buffer, obj.byteOffset).getBigUint64(40, true));
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const bad = obj.slice();
      for (let k = 0; k < 4; k++) {
        // Aim at the ELF header and the section header table, where offsets live.
        const at = rand() < 0.3 ? Math.floor(rand() * 64) : shoff + Math.floor(rand() * (obj.length - shoff));
        bad[at] = Math.floor(rand() * 256);
      }
      try { parseElf(bad); } catch (e) {
        if (!(e instanceof ElfError)) throw new Error(`case ${i}: ${String(e)}`);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});
