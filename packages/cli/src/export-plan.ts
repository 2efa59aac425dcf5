/**
 * Which maps a package exports events from, and how each one's bytes are decoded.
 *
 * As in the original ecli: without `enable_multiple_export_types` there is one export map
 * (a ring buffer, a perf event array, or a map with a `sample` config) decoded by the
 * package's first export type; with it, every map whose `export_config` is not
 * "no_export" exports, each with its own type (`{btf_type_id}`, `{custom_members}`, or
 * "default": the map's own value type, for sampled maps only).
 */
import { createDecoder, type Btf, type DecodedValue } from "@eunomia/decoder";
import type { ExportConfig, Interpreter, MapMeta, MapSample, PackageMeta } from "@eunomia/loader/package";
import { UsageError } from "./cli-error.ts";
import { exportStruct } from "./export-type.ts";

export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_RINGBUF = 27;

/** How the events of one map are read and decoded. */
export interface ExportTarget {
  map: string;
  source: "ring" | "perf" | "sample";
  /** Decodes one record at `offset` (ring/perf); absent when the package exports no type (raw hex). */
  decode?: (bytes: Uint8Array, offset?: number) => DecodedValue;
  /** The BTF type the record is, when it is one type (not custom members): JSON can be written straight from bytes. */
  typeId?: number;
  /** Bytes a record must have to be decoded. */
  size: number;
  /** Top-level field names in output order (anonymous members flattened). */
  fields: string[];
  sample?: MapSample;
  interpreter?: Interpreter;
  /** For sampled maps: the value type the config selects, if not the map's own. */
  valueTypeId?: number;
}

interface LoadedMap { name: string; type: number }

/** Field names as the decoder emits them: anonymous struct/union members are flattened. */
export function fieldNames(btf: Btf, typeId: number): string[] {
  const t = btf.resolve(typeId);
  if (t.kind !== "struct" && t.kind !== "union") return [];
  return t.members.flatMap((m) => (m.name === "" ? fieldNames(btf, m.typeId) : [m.name]));
}

function sourceOf(meta: MapMeta | undefined, map: LoadedMap): ExportTarget["source"] | undefined {
  if (meta?.sample) return "sample";
  if (map.type === BPF_MAP_TYPE_RINGBUF) return "ring";
  if (map.type === BPF_MAP_TYPE_PERF_EVENT_ARRAY) return "perf";
  return undefined;
}

function typeTarget(btf: Btf, typeId: number, what: string): Pick<ExportTarget, "decode" | "size" | "fields" | "typeId"> {
  if (typeId <= 0 || typeId >= btf.types.length) throw new UsageError(`${what}: BTF type id ${typeId} is not in the object`);
  return { decode: createDecoder(btf, typeId), size: btf.sizeOf(typeId), fields: fieldNames(btf, typeId), typeId };
}

function customTarget(btf: Btf, members: { name: string; offset: number; btf_type_id: number }[], what: string): Pick<ExportTarget, "decode" | "size" | "fields"> {
  const parts = members.map((m) => {
    const part = typeTarget(btf, m.btf_type_id, `${what} member ${m.name}`);
    return { name: m.name, offset: m.offset, decode: part.decode!, end: m.offset + part.size };
  });
  const decode = (bytes: Uint8Array, offset = 0) => {
    const record: Record<string, DecodedValue> = {};
    for (const p of parts) record[p.name] = p.decode(bytes, offset + p.offset);
    return record;
  };
  return { decode, size: Math.max(0, ...parts.map((p) => p.end)), fields: parts.map((p) => p.name) };
}

function configuredTarget(btf: Btf, config: ExportConfig, map: string, source: ExportTarget["source"]): Pick<ExportTarget, "decode" | "size" | "fields" | "valueTypeId" | "typeId"> {
  const what = `export_config of map ${map}`;
  if (config === "default") {
    if (source !== "sample") throw new UsageError(`${what}: "default" applies only to sampled maps`);
    return { size: 0, fields: [] };
  }
  if (config === "no_export") throw new UsageError(`${what}: not exported`);
  if ("btf_type_id" in config) {
    const target = typeTarget(btf, config.btf_type_id, what);
    return source === "sample" ? { ...target, valueTypeId: config.btf_type_id } : target;
  }
  return customTarget(btf, config.custom_members, what);
}

/**
 * The export targets of a loaded object.
 * @param warn receives a line when a single-export package has several candidate maps.
 * @throws UsageError when an export config names a type the object lacks.
 */
export function exportPlan(meta: PackageMeta, maps: LoadedMap[], btf: Btf, warn: (line: string) => void = () => {}): ExportTarget[] {
  const metaOf = (name: string) => meta.bpf_skel.maps?.find((m) => m.name === name);
  if (meta.enable_multiple_export_types) {
    const targets: ExportTarget[] = [];
    for (const map of maps) {
      const m = metaOf(map.name);
      const config = m?.export_config ?? "no_export";
      if (config === "no_export") continue;
      const source = sourceOf(m, map);
      if (!source) continue;
      targets.push({ map: map.name, source, sample: m?.sample, interpreter: m?.intepreter, ...configuredTarget(btf, config, map.name, source) });
    }
    return targets;
  }
  const candidates = maps.filter((map) => sourceOf(metaOf(map.name), map));
  if (candidates.length === 0) return [];
  if (candidates.length > 1) warn(`several export maps (${candidates.map((c) => c.name).join(", ")}); using ${candidates[0].name}`);
  const map = candidates[0];
  const m = metaOf(map.name);
  const source = sourceOf(m, map)!;
  const base = { map: map.name, source, sample: m?.sample, interpreter: m?.intepreter };
  if (source === "sample") return [{ ...base, size: 0, fields: [] }];
  const exported = exportStruct(meta, btf);
  if (!exported) return [{ ...base, size: 0, fields: [] }];
  return [{ ...base, ...typeTarget(btf, exported.typeId, `export type ${exported.name}`) }];
}
