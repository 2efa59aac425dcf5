/**
 * The global variables of a BPF object, with their real places. In an object file the
 * offsets in a BTF DATASEC are still 0 (libbpf fills them in at open time from the ELF
 * symbol table), so the offset of each variable is taken from its ELF symbol instead.
 */
import type { Elf } from "../elf.ts";
import type { Btf } from "./btf.ts";

/** A variable of a data section (".rodata", ".bss", ".data", ...). */
export interface GlobalVariable {
  name: string;
  /** The data section holding it, e.g. ".rodata". */
  section: string;
  /** Byte offset within the section. */
  offset: number;
  size: number;
  /** Type of the variable (the VAR's type, qualifiers included). */
  typeId: number;
  /** BTF linkage: 0 static, 1 global, 2 extern. */
  linkage: number;
}

/**
 * Every variable of every DATASEC in `btf`, in offset order within each section, with the
 * offset from the symbol table of `elf` when the object has not been laid out yet.
 * Variables with no symbol keep the DATASEC offset.
 */
export function globalVariables(elf: Elf, btf: Btf): GlobalVariable[] {
  const out: GlobalVariable[] = [];
  for (const sec of btf.types) {
    if (sec.kind !== "datasec") continue;
    const index = elf.section(sec.name)?.index;
    const symbolOffset = new Map<string, number>();
    if (index !== undefined) {
      for (const s of elf.symbols) if (s.sectionIndex === index && s.name) symbolOffset.set(s.name, Number(s.value));
    }
    const vars: GlobalVariable[] = [];
    for (const info of sec.vars) {
      const v = btf.get(info.typeId);
      if (v.kind !== "var") continue;
      const offset = symbolOffset.get(v.name) ?? info.offset;
      vars.push({ name: v.name, section: sec.name, offset, size: info.size, typeId: v.typeId, linkage: v.linkage });
    }
    out.push(...vars.sort((a, b) => a.offset - b.offset));
  }
  return out;
}
