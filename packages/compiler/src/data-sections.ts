import { globalVariables, type Btf, type Elf } from "@eunomia/decoder";
import type { DataSection } from "@eunomia/loader/package";

/** Data sections whose variables become program arguments. */
const ARG_SECTIONS = [".rodata", ".bss", ".data"];
/** `btf_var.linkage` of a `static` variable: private, never a program argument. */
const BTF_VAR_STATIC = 0;

/**
 * `data_sections` of the package: for each .rodata/.bss/.data DATASEC in the object's
 * BTF (in ELF section order), its global variables in offset order with their C types
 * written without top-level qualifiers ("const volatile unsigned long long" is
 * "unsigned long long"). Static variables (e.g. bpf_printk formats) are left out, as
 * bpftool's skeleton does; `__eunomia_dummy_*` pointers are kept, as the original does.
 */
export function dataSections(elf: Elf, btf: Btf): DataSection[] {
  const order = (name: string) => elf.section(name)?.index ?? Number.MAX_SAFE_INTEGER;
  const out: { index: number; section: DataSection }[] = [];
  const all = globalVariables(elf, btf);
  for (const t of btf.types) {
    if (t.kind !== "datasec" || !ARG_SECTIONS.includes(t.name)) continue;
    const variables = all
      .filter((v) => v.section === t.name && v.linkage !== BTF_VAR_STATIC)
      .map((v) => ({ name: v.name, type: btf.typeName(v.typeId, { qualifiers: false }) }));
    out.push({ index: order(t.name), section: { name: t.name, variables } });
  }
  return out.sort((a, b) => a.index - b.index).map((e) => e.section);
}
