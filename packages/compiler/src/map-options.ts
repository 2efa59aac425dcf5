/**
 * Output options of a map from its doc comment, for packages with
 * `enable_multiple_export_types` (DESIGN.md section 3):
 *
 *   /// @intepreter {"stack_trace": {"with_symbols": true}}
 *   /// @export_config "no_export"
 *   struct { ... } events SEC(".maps");
 *
 * The original eunomia-bpf compiler copies any inline doc command on a map into the
 * map's metadata under the command's name, so `@intepreter` (spelled as in the format;
 * `@interpreter` is accepted too) works there as here. clang ends a command name at the
 * first character that is not a letter or digit, so `@export_config x` reaches us as
 * command `export` with text `_config x`; both it and `@export x` set `export_config`.
 */
import { basename } from "node:path";
import type { ExportConfig, Interpreter, MapMeta } from "@eunomia/loader/package";
import { variableDoc, type DeclarationDoc } from "./doc-comments.ts";
import { CompileError } from "./errors.ts";

/**
 * `maps` with `intepreter` and `export_config` set from their doc comments.
 * @throws CompileError (stage "docs") naming file and line for JSON that is malformed or
 *   not one of the shapes of the format.
 * @example withMapOptions(maps, decls)
 */
export function withMapOptions(maps: readonly MapMeta[], decls: readonly DeclarationDoc[]): MapMeta[] {
  return maps.map((map) => {
    const doc = variableDoc(decls, map.name);
    if (!doc?.comment) return map;
    const out = { ...map };
    for (const c of doc.comment.commands) {
      const where = `${basename(doc.decl.file)}:${c.line}: map '${map.name}'`;
      if (c.name === "intepreter" || c.name === "interpreter") {
        out.intepreter = checkInterpreter(json(c.text, `${where} @${c.name}`), `${where} @${c.name}`);
      } else if (c.name === "export") {
        const text = c.text.startsWith("_config") ? c.text.slice("_config".length).trim() : c.text;
        out.export_config = checkExportConfig(json(text, `${where} @export_config`), `${where} @export_config`);
      }
    }
    return out;
  });
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CompileError("docs", `${what} is not valid JSON (${(cause as Error).message}): ${text.replace(/\s+/g, " ") || "(nothing)"}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function checkInterpreter(v: unknown, what: string): Interpreter {
  if (v === "default_struct") return v;
  const trace = isObject(v) ? v.stack_trace : undefined;
  if (
    isObject(trace) &&
    (trace.with_symbols === undefined || typeof trace.with_symbols === "boolean") &&
    (trace.field_map === undefined || (isObject(trace.field_map) && Object.values(trace.field_map).every((x) => typeof x === "string")))
  ) {
    return v as Interpreter;
  }
  throw new CompileError("docs", `${what} must be "default_struct" or {"stack_trace": {"field_map"?: {...}, "with_symbols"?: true}}`);
}

function checkExportConfig(v: unknown, what: string): ExportConfig {
  if (v === "no_export" || v === "default") return v;
  const whole = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
  if (isObject(v) && whole(v.btf_type_id)) return v as ExportConfig;
  if (
    isObject(v) &&
    Array.isArray(v.custom_members) &&
    v.custom_members.every((m) => isObject(m) && typeof m.name === "string" && whole(m.offset) && whole(m.btf_type_id))
  ) {
    return v as ExportConfig;
  }
  throw new CompileError("docs", `${what} must be "no_export", "default", {"btf_type_id": N} or {"custom_members": [{"name", "offset", "btf_type_id"}]}`);
}
