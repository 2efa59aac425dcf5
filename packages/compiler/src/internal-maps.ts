import type { Btf, Elf } from "@eunomia/decoder";

const SHT_PROGBITS = 1;
const SHT_NOBITS = 8;
const SHF_EXECINSTR = 0x4n;
/** Kernel limit on object names, including the NUL. */
const BPF_OBJ_NAME_LEN = 16;

/** A map libbpf creates by itself for global data. */
export interface InternalMap {
  /** ELF section (or BTF DATASEC for .kconfig) backing the map. */
  section: string;
  /** The map's name in libbpf and in the kernel, e.g. "bootstra.rodata". */
  name: string;
  /** The skeleton identifier bpftool gives it, e.g. "rodata". */
  ident: string;
}

/**
 * libbpf's name for the internal map of a data section: as much of the object name as
 * fits in front of the section name within 15 characters, keeping at least 7 characters
 * of the section name; a section name with a second '.' (".rodata.str1.1") is used alone.
 * @example internalMapName("bootstrap_bpf", ".rodata") // "bootstra.rodata"
 */
export function internalMapName(objName: string, section: string): string {
  const sfxLen = Math.min(Math.max(7, section.length), BPF_OBJ_NAME_LEN - 1);
  const pfxLen = section.indexOf(".", 1) !== -1 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length);
  return objName.slice(0, pfxLen) + section.slice(0, sfxLen);
}

/**
 * bpftool's skeleton identifier for an internal map: the name from its data-section
 * suffix on, without the leading '.', non-identifier characters as '_'.
 * @example internalMapIdent("bootstra.rodata") // "rodata"
 */
export function internalMapIdent(mapName: string): string {
  for (const sfx of [".data", ".rodata", ".bss", ".kconfig"]) {
    const at = mapName.indexOf(sfx);
    if (at !== -1) return mapName.slice(at + 1).replace(/[^A-Za-z0-9_]/g, "_");
  }
  return mapName.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * The internal maps libbpf will create for an object, in libbpf's order: one per
 * non-empty .data*, .rodata* and .bss* section in section order, then .kconfig if the
 * object reads kernel config externs.
 */
export function internalMaps(elf: Elf, btf: Btf, objName: string): InternalMap[] {
  const sections = elf.sections.filter(
    (s) =>
      (s.flags & SHF_EXECINSTR) === 0n &&
      s.size > 0 &&
      ((s.type === SHT_PROGBITS && (hasPrefix(s.name, ".data") || hasPrefix(s.name, ".rodata"))) ||
        (s.type === SHT_NOBITS && hasPrefix(s.name, ".bss"))),
  );
  const names = sections.map((s) => s.name);
  if (btf.find(".kconfig", "datasec")) names.push(".kconfig");
  return names.map((section) => {
    const name = internalMapName(objName, section);
    return { section, name, ident: internalMapIdent(name) };
  });
}

// ".rodata" and ".rodata.anything", not ".rodatax".
function hasPrefix(name: string, base: string): boolean {
  return name === base || name.startsWith(`${base}.`);
}
