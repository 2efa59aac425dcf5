import type { Elf } from "@eunomia/decoder";
import type { ProgMeta } from "@eunomia/loader/package";

const SHF_EXECINSTR = 0x4n;
const STT_FUNC = 2;
const STB_GLOBAL = 1;
const STB_WEAK = 2;

/**
 * `progs` of the package: every global (or weak) function in an executable section
 * other than .text (.text holds subprograms, not entry points), ordered by section then
 * offset; `attach` is the section name libbpf reads the program type from.
 */
export function progsMeta(elf: Elf): ProgMeta[] {
  return elf.symbols
    .filter((sym) => {
      if (sym.type !== STT_FUNC || (sym.bind !== STB_GLOBAL && sym.bind !== STB_WEAK)) return false;
      const sec = elf.sections[sym.sectionIndex];
      return sec !== undefined && (sec.flags & SHF_EXECINSTR) !== 0n && sec.name !== ".text";
    })
    .sort((a, b) => a.sectionIndex - b.sectionIndex || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .map((sym) => ({ name: sym.name, attach: elf.sections[sym.sectionIndex]!.name, link: true }));
}
