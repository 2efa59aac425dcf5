import type { Btf, Elf } from "@eunomia/decoder";
import type { MapMeta } from "@eunomia/loader/package";
import { internalMaps } from "./internal-maps.ts";

/**
 * `maps` of the package, in the order libbpf creates them: the BTF-defined maps of the
 * ".maps" section (offset order, ident = name), then the internal global-data maps
 * (`mmaped: true`, named as libbpf names them, e.g. "bootstra.rodata" / "rodata").
 * `mmaped` is left out for ordinary maps, as the original compiler does.
 */
export function mapsMeta(elf: Elf, btf: Btf, objName: string): MapMeta[] {
  const maps: MapMeta[] = [];
  const sec = btf.find(".maps", "datasec");
  if (sec?.kind === "datasec") {
    for (const v of [...sec.vars].sort((a, b) => a.offset - b.offset)) {
      const t = btf.get(v.typeId);
      if (t.kind === "var") maps.push({ name: t.name, ident: t.name });
    }
  }
  for (const m of internalMaps(elf, btf, objName)) maps.push({ name: m.name, ident: m.ident, mmaped: true });
  return maps;
}
