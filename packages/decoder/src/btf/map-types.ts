/**
 * The key and value types of a BTF-defined map. A map written as
 * `struct { __type(key, u32); __type(value, struct hist); ... } hists SEC(".maps")`
 * is a VAR in the ".maps" DATASEC whose struct has pointer members `key` and `value`
 * pointing at the two types (libbpf reads them the same way).
 */
import type { Btf } from "./btf.ts";

/** BTF type ids of a map's key and value; undefined where the map gives only a size. */
export interface MapBtfTypes {
  keyTypeId?: number;
  valueTypeId?: number;
}

/**
 * Looks up map `name` in the ".maps" section of `btf`.
 * Returns undefined when the object has no such BTF-defined map.
 * @example mapBtfTypes(btf, "hists") // { keyTypeId: 7, valueTypeId: 12 }
 */
export function mapBtfTypes(btf: Btf, name: string): MapBtfTypes | undefined {
  const sec = btf.find(".maps", "datasec");
  if (sec?.kind !== "datasec") return undefined;
  for (const info of sec.vars) {
    const v = btf.get(info.typeId);
    if (v.kind !== "var" || v.name !== name) continue;
    const def = btf.resolve(v.typeId);
    if (def.kind !== "struct") return {};
    const pointee = (member: string): number | undefined => {
      const m = def.members.find((x) => x.name === member);
      const p = m ? btf.get(m.typeId) : undefined;
      return p?.kind === "ptr" ? p.typeId : undefined;
    };
    const types: MapBtfTypes = {};
    const key = pointee("key");
    const value = pointee("value");
    if (key !== undefined) types.keyTypeId = key;
    if (value !== undefined) types.valueTypeId = value;
    return types;
  }
  return undefined;
}
