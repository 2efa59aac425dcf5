/**
 * `/// @sample {...}` doc comments on maps: the map is printed every `interval` ms by
 * `ecli run` (DESIGN.md section 3). The JSON is checked here, so a typo fails the build
 * with its file and line instead of failing the run.
 */
import { basename } from "node:path";
import type { MapMeta, MapSample } from "@eunomia/loader/package";
import type { DeclarationDoc } from "./doc-comments.ts";
import { variableDoc } from "./doc-comments.ts";
import { CompileError } from "./errors.ts";

/**
 * A map's `sample`. `linear_hist` also takes `base` (value of slot 0, default 0) and
 * `step` (width of a slot, default 1), the arguments of BCC's print_linear_hist.
 */
export type SampleConfig = MapSample & { base?: number; step?: number };

const TYPES = ["log2_hist", "linear_hist", "default_kv"] as const;
const KEYS = ["interval", "type", "unit", "clear_map", "base", "step"];

/** Where a @sample comment is, for error messages. */
export interface SampleSite {
  file: string;
  line: number;
  map: string;
}

/**
 * Parses and checks the text after `@sample`. `type` defaults to "default_kv", as in the
 * original eunomia-bpf runtime; other keys are written only when given.
 * @throws CompileError (stage "docs") naming file, line and map, for bad JSON, unknown
 *   keys, or values of the wrong kind.
 * @example parseSample('{"interval": 1000, "type": "log2_hist"}', { file: "p.bpf.c", line: 9, map: "hists" })
 *   // { interval: 1000, type: "log2_hist" }
 */
export function parseSample(text: string, site: SampleSite): SampleConfig {
  const fail = (problem: string): never => {
    throw new CompileError("docs", `${basename(site.file)}:${site.line}: @sample of map '${site.map}' ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    fail(`is not valid JSON (${(cause as Error).message}): ${text.replace(/\s+/g, " ") || "(nothing after @sample)"}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(`must be a JSON object, e.g. {"interval": 1000}`);
  const raw = value as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) fail(`has unknown key ${JSON.stringify(unknown[0])} (known: ${KEYS.join(", ")})`);
  const { interval, type = "default_kv", unit, clear_map: clearMap, base, step } = raw;
  if (typeof interval !== "number" || !Number.isSafeInteger(interval) || interval <= 0) {
    fail(`needs "interval": a whole number of milliseconds above 0 (got ${JSON.stringify(interval) ?? "nothing"})`);
  }
  if (!TYPES.includes(type as (typeof TYPES)[number])) fail(`has "type" ${JSON.stringify(type)}; use one of ${TYPES.join(", ")}`);
  if (unit !== undefined && typeof unit !== "string") fail(`has a "unit" that is not a string`);
  if (clearMap !== undefined && typeof clearMap !== "boolean") fail(`has a "clear_map" that is not true or false`);
  if ((base !== undefined || step !== undefined) && type !== "linear_hist") fail(`sets "base"/"step", which only linear_hist uses`);
  if (base !== undefined && (typeof base !== "number" || !Number.isSafeInteger(base))) fail(`has a "base" that is not a whole number`);
  if (step !== undefined && (typeof step !== "number" || !Number.isSafeInteger(step) || step <= 0)) fail(`has a "step" that is not a whole number above 0`);
  const sample: SampleConfig = { interval: interval as number, type: type as SampleConfig["type"] };
  if (unit !== undefined) sample.unit = unit as string;
  if (clearMap !== undefined) sample.clear_map = clearMap as boolean;
  if (base !== undefined) sample.base = base as number;
  if (step !== undefined) sample.step = step as number;
  return sample;
}

/**
 * `maps` with `sample` set from each map's `@sample` doc comment (maps without one are
 * returned as they are). `decls` are the program's declarations ({@link declarationDocs}).
 * @throws CompileError (stage "docs") for a malformed @sample or two on one map.
 */
export function withMapSamples(maps: readonly MapMeta[], decls: readonly DeclarationDoc[]): MapMeta[] {
  return maps.map((map) => {
    const doc = variableDoc(decls, map.name);
    const samples = doc?.comment?.commands.filter((c) => c.name === "sample") ?? [];
    if (!doc || samples.length === 0) return map;
    if (samples.length > 1) {
      throw new CompileError("docs", `${basename(doc.decl.file)}:${samples[1].line}: map '${map.name}' has a second @sample`);
    }
    const sample = parseSample(samples[0].text, { file: doc.decl.file, line: samples[0].line, map: map.name });
    return { ...map, sample };
  });
}
