/**
 * Where a package's events come from and how they are decoded: its first ring buffer or
 * perf event array (maps with a `sample` config or `export_config: "no_export"` are not
 * event sources) and its first export type, found in the object's own BTF by `type_id`
 * and checked against name and member count.
 */
import { createDecoder, type Btf, type Decoder } from "@eunomia/decoder";
import { PackageError } from "./package/package-error.ts";
import type { PackageMeta } from "./package/types.ts";

const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
const BPF_MAP_TYPE_RINGBUF = 27;

/** The decoder of a package's first export type, or undefined when it exports none. Pure; throws {@link PackageError}. */
export function exportDecoder(meta: PackageMeta, btf: Btf): Decoder | undefined {
  const declared = meta.export_types?.[0];
  if (!declared) return undefined;
  const fits = (id: number | undefined): boolean => {
    if (id === undefined || id <= 0 || id >= btf.types.length) return false;
    const t = btf.get(id);
    return (t.kind === "struct" || t.kind === "union") && t.name === declared.name && t.members.length === declared.members.length;
  };
  const id = fits(declared.type_id) ? declared.type_id : btf.find(declared.name, "struct")?.id;
  if (!fits(id)) {
    throw new PackageError(`export type ${declared.name} is not a struct of ${declared.members.length} members in the object's BTF`, { path: "meta.export_types[0]" });
  }
  return createDecoder(btf, id!);
}

/** The event source among a loaded object's maps, or undefined when there is none. */
export function exportMap(meta: PackageMeta, maps: { name: string; type: number }[]): { name: string; kind: "ring" | "perf" } | undefined {
  for (const map of maps) {
    const m = meta.bpf_skel.maps?.find((x) => x.name === map.name);
    if (m?.sample || m?.export_config === "no_export") continue;
    if (map.type === BPF_MAP_TYPE_RINGBUF) return { name: map.name, kind: "ring" };
    if (map.type === BPF_MAP_TYPE_PERF_EVENT_ARRAY) return { name: map.name, kind: "perf" };
  }
  return undefined;
}

