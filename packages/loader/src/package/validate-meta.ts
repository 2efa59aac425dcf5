/**
 * Shape checks of a package's `meta` (DESIGN.md section 3). Unknown fields are kept
 * untouched so a package survives a read/write round trip.
 */
import {
  asObject, bool, list, optBool, optOneOf, optStr, optUint, str, uint, type Fields,
} from "./json-checks.ts";
import { PackageError } from "./package-error.ts";
import type { PackageMeta } from "./types.ts";

const SAMPLE_TYPES = ["log2_hist", "linear_hist", "default_kv"] as const;

function checkVariable(item: unknown, path: string): void {
  const v = asObject(item, path);
  str(v, "name", path);
  str(v, "type", path);
  optStr(v, "description", path);
  if (v.cmdarg !== undefined) {
    const cmdarg = asObject(v.cmdarg, `${path}.cmdarg`);
    optStr(cmdarg, "long", `${path}.cmdarg`);
    optStr(cmdarg, "help", `${path}.cmdarg`);
    optStr(cmdarg, "short", `${path}.cmdarg`);
    if (typeof cmdarg.short === "string" && [...cmdarg.short].length !== 1) {
      throw new PackageError(`${path}.cmdarg.short must be one character`, { path: `${path}.cmdarg.short` });
    }
  }
}

function checkExportConfig(value: unknown, path: string): void {
  if (value === "no_export" || value === "default") return;
  if (typeof value === "string") {
    throw new PackageError(`${path} must be "no_export", "default" or an object`, { path });
  }
  const config = asObject(value, path);
  if (config.btf_type_id !== undefined) return void uint(config, "btf_type_id", path);
  list(config, "custom_members", path, (item, itemPath) => {
    const member = asObject(item, itemPath);
    str(member, "name", itemPath);
    uint(member, "offset", itemPath);
    uint(member, "btf_type_id", itemPath);
  });
}

function checkInterpreter(value: unknown, path: string): void {
  if (value === "default_struct") return;
  if (typeof value === "string") throw new PackageError(`${path} must be "default_struct" or an object`, { path });
  const interpreter = asObject(value, path);
  const trace = asObject(interpreter.stack_trace, `${path}.stack_trace`);
  if (trace.field_map !== undefined) asObject(trace.field_map, `${path}.stack_trace.field_map`);
  optBool(trace, "with_symbols", `${path}.stack_trace`);
}

function checkMap(item: unknown, path: string): void {
  const map = asObject(item, path);
  str(map, "name", path);
  str(map, "ident", path);
  optBool(map, "mmaped", path);
  if (map.sample !== undefined) {
    const sample = asObject(map.sample, `${path}.sample`);
    uint(sample, "interval", `${path}.sample`);
    optOneOf(sample, "type", `${path}.sample`, SAMPLE_TYPES);
    optStr(sample, "unit", `${path}.sample`);
    optBool(sample, "clear_map", `${path}.sample`);
  }
  if (map.export_config !== undefined) checkExportConfig(map.export_config, `${path}.export_config`);
  if (map.intepreter !== undefined) checkInterpreter(map.intepreter, `${path}.intepreter`);
}

function checkProg(item: unknown, path: string): void {
  const prog = asObject(item, path);
  str(prog, "name", path);
  str(prog, "attach", path);
  bool(prog, "link", path);
}

function checkExportType(item: unknown, path: string): void {
  const type = asObject(item, path);
  str(type, "name", path);
  uint(type, "size", path);
  uint(type, "type_id", path);
  list(type, "members", path, (member, memberPath) => {
    const m = asObject(member, memberPath);
    str(m, "name", memberPath);
    str(m, "type", memberPath);
  });
}

function checkSkel(skel: Fields, path: string): void {
  str(skel, "obj_name", path);
  list(skel, "data_sections", path, (item, itemPath) => {
    const section = asObject(item, itemPath);
    str(section, "name", itemPath);
    list(section, "variables", itemPath, checkVariable);
  });
  list(skel, "maps", path, checkMap, true);
  list(skel, "progs", path, checkProg, true);
  if (skel.doc !== undefined) {
    const doc = asObject(skel.doc, `${path}.doc`);
    for (const key of ["version", "brief", "details", "description"]) optStr(doc, key, `${path}.doc`);
  }
}

/**
 * Checks `value` is a package `meta` and returns it typed. Packages from older
 * compilers may lack `export_types` or `eunomia_version`; those default to [] and "".
 * Throws {@link PackageError} naming the first bad field.
 */
export function validateMeta(value: unknown, path = "meta"): PackageMeta {
  const meta = asObject(value, path);
  checkSkel(asObject(meta.bpf_skel, `${path}.bpf_skel`), `${path}.bpf_skel`);
  if (meta.export_types === undefined) meta.export_types = [];
  list(meta, "export_types", path, checkExportType);
  if (meta.eunomia_version === undefined) meta.eunomia_version = "";
  str(meta, "eunomia_version", path);
  optUint(meta, "poll_timeout_ms", path);
  optBool(meta, "enable_multiple_export_types", path);
  return meta as PackageMeta;
}
