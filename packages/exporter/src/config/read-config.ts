/**
 * Reads the exporter's YAML config: the original eunomia-exporter shape (counters from
 * events, labels from event fields) plus histograms from an event field and
 * ebpf_exporter-style metrics read from maps (key bytes sliced into decoded labels).
 * Everything is checked here, before anything is loaded; each error names its line and column.
 */
import { DecoderConfigError } from "../decoders/label-decoder.ts";
import { compileChain, type DecoderSpec } from "../decoders/registry.ts";
import { ConfigError } from "./config-error.ts";
import type {
  CounterConfig, EventLabel, ExporterConfig, HistogramConfig, MapLabel, OtlpConfig, ProgramConfig, ProgramSource,
} from "./config-types.ts";
import { parseYaml, type YamlField } from "./yaml-field.ts";

/** Series a metric keeps unless its `max_series` says otherwise. */
export const DEFAULT_MAX_SERIES = 50_000;
/** Buckets of an event histogram without `buckets` or `bucket_type` (prom-client's defaults). */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const PROGRAM_KEYS = ["name", "description", "compiled_ebpf_filename", "ebpf_data", "oci", "flags", "metrics"];
const METRIC_KEYS = [
  "name", "description", "help", "labels", "map", "field", "buckets",
  "bucket_type", "bucket_min", "bucket_max", "bucket_multiplier", "max_series",
];
const LABEL_KEYS = ["name", "from", "size", "decoders"];

/**
 * Parses and checks a whole config. Relative `compiled_ebpf_filename`s stay as written
 * (they resolve against the working directory, as in the original).
 * Throws {@link ConfigError} ("config.yaml:12:9: unknown decoder ...").
 *
 * @example
 * const config = readConfig(await Bun.file("config.yaml").text(), "config.yaml");
 */
export function readConfig(text: string, file: string): ExporterConfig {
  const root = parseYaml(text, file).only(["programs", "otlp"]);
  const programs = root.need("programs").items().map(readProgram);
  const names = new Set<string>();
  const metricNames = new Map<string, string>();
  for (const p of programs) {
    if (names.has(p.name)) throw new ConfigError(`${p.at}: two programs are named ${JSON.stringify(p.name)}`);
    names.add(p.name);
    checkUniqueMetrics(p, metricNames);
  }
  const otlp = root.get("otlp");
  return otlp ? { programs, otlp: readOtlp(otlp) } : { programs };
}

/**
 * Parses one program entry on its own (the program API's POST body), YAML or JSON text.
 * Throws {@link ConfigError}.
 */
export function readProgramConfig(text: string, file: string): ProgramConfig {
  return readProgram(parseYaml(text, file));
}

/** Fails when a metric name is used twice, across every program given. */
export function checkUniqueMetrics(program: ProgramConfig, seen: Map<string, string>): void {
  for (const m of [...program.counters, ...program.histograms]) {
    const other = seen.get(m.name);
    if (other !== undefined) throw new ConfigError(`${m.at}: metric ${m.name} is already defined (by program ${other})`);
    seen.set(m.name, program.name);
  }
}

function readProgram(field: YamlField): ProgramConfig {
  field.only(PROGRAM_KEYS);
  const name = field.need("name").string();
  const sources: ProgramSource[] = [];
  const file = field.get("compiled_ebpf_filename");
  if (file) sources.push({ kind: "file", path: file.string() });
  const inline = field.get("ebpf_data");
  if (inline) sources.push({ kind: "inline", data: inline.string() });
  const oci = field.get("oci");
  if (oci) sources.push({ kind: "oci", ref: oci.string() });
  if (sources.length !== 1) {
    field.fail(`program ${JSON.stringify(name)} needs exactly one of compiled_ebpf_filename, ebpf_data or oci (it has ${sources.length})`);
  }
  const flags: ProgramConfig["flags"] = {};
  for (const [key, value] of field.get("flags")?.entries() ?? []) {
    const v = value.value;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") flags[key] = v;
    else value.fail(`flag ${key} must be a number, string or boolean`);
  }
  const metrics = field.get("metrics")?.only(["counters", "histograms"]);
  const counters = metrics?.get("counters")?.items().map(readCounter) ?? [];
  const histograms = metrics?.get("histograms")?.items().map(readHistogram) ?? [];
  return { name, source: sources[0], flags, counters, histograms, at: field.place };
}

/** Name, help and series limit, common to every metric. */
function readBase(field: YamlField) {
  field.only(METRIC_KEYS);
  const nameField = field.need("name");
  const name = nameField.string();
  if (!METRIC_NAME.test(name)) nameField.fail(`metric name ${JSON.stringify(name)} is not a valid Prometheus name`);
  if (name.startsWith("ecli_exporter_")) nameField.fail(`metric names starting with ecli_exporter_ are the exporter's own (${name})`);
  const help = (field.get("help") ?? field.get("description"))?.string() ?? name;
  const maxSeries = field.get("max_series")?.integer(1) ?? DEFAULT_MAX_SERIES;
  return { name, help, maxSeries, at: field.place };
}

/** A metric reads a map when it names one or when its labels carry sizes (ebpf_exporter's shape). */
function readsMap(field: YamlField): boolean {
  if (field.get("map")) return true;
  return (field.get("labels")?.items() ?? []).some((l) => l.get("size") !== undefined);
}

function readCounter(field: YamlField): CounterConfig {
  const base = readBase(field);
  if (readsMap(field)) {
    return { ...base, source: "map", map: field.get("map")?.string() ?? base.name, labels: readMapLabels(field) };
  }
  for (const key of ["field", "buckets", "bucket_type"]) if (field.get(key)) field.need(key).fail(`\`${key}\` belongs to histograms`);
  return { ...base, source: "events", labels: readEventLabels(field) };
}

function readHistogram(field: YamlField): HistogramConfig {
  const base = readBase(field);
  if (readsMap(field)) {
    const labels = readMapLabels(field);
    if (labels.length === 0) field.fail(`histogram ${base.name} reads a map, so its last label must be the bucket index`);
    const bucketType = bucketKind(field.need("bucket_type"));
    const bucketMin = field.get("bucket_min")?.integer(0, 1023) ?? 0;
    const bucketMax = field.need("bucket_max").integer(bucketMin, 1023);
    const bucketMultiplier = field.get("bucket_multiplier")?.number() ?? 1;
    return { ...base, source: "map", map: field.get("map")?.string() ?? base.name, labels, bucketType, bucketMin, bucketMax, bucketMultiplier };
  }
  const valueField = field.need("field").string();
  return { ...base, source: "events", labels: readEventLabels(field), field: valueField, buckets: readBuckets(field) };
}

/** Explicit `buckets`, or buckets generated from bucket_type/min/max/multiplier. */
function readBuckets(field: YamlField): number[] {
  const list = field.get("buckets");
  if (list) {
    const buckets = list.items().map((b) => b.number());
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) list.fail("buckets must be a non-empty list of increasing numbers");
    return buckets;
  }
  const type = field.get("bucket_type");
  if (!type) return DEFAULT_BUCKETS;
  const kind = bucketKind(type);
  const min = field.get("bucket_min")?.integer(0, 1023) ?? 0;
  const max = field.need("bucket_max").integer(min, 1023);
  const multiplier = field.get("bucket_multiplier")?.number() ?? 1;
  return Array.from({ length: max - min + 1 }, (_, i) => bucketBound(kind, min + i, multiplier));
}

function bucketKind(field: YamlField): "exp2" | "linear" {
  const kind = field.string();
  if (kind === "exp2" || kind === "linear") return kind;
  return field.fail(`bucket_type must be exp2 or linear, not ${JSON.stringify(kind)}`);
}

/** The upper bound of bucket `index`: 2^index (exp2) or index (linear), times the multiplier. */
export function bucketBound(type: "exp2" | "linear", index: number, multiplier: number): number {
  // 15 significant digits: 2^7 * 1e-6 is 0.000128, not 0.00012800000000000002, in labels.
  return Number(((type === "exp2" ? 2 ** index : index) * multiplier).toPrecision(15));
}

function labelName(label: YamlField): string {
  const field = label.need("name");
  const name = field.string();
  if (!LABEL_NAME.test(name) || name === "le") field.fail(`label name ${JSON.stringify(name)} is not a valid Prometheus label name`);
  return name;
}

/** Fails at the second label of the same name. */
function checkUniqueLabels(field: YamlField): void {
  const seen = new Set<string>();
  for (const label of field.get("labels")?.items() ?? []) {
    const name = label.need("name");
    if (seen.has(name.string())) name.fail(`label ${name.string()} appears twice`);
    seen.add(name.string());
  }
}

function readEventLabels(field: YamlField): EventLabel[] {
  const labels = (field.get("labels")?.items() ?? []).map((label) => {
    label.only(LABEL_KEYS);
    const name = labelName(label);
    for (const key of ["size", "decoders"]) if (label.get(key)) label.need(key).fail(`\`${key}\` applies to labels of metrics read from maps`);
    return { name, field: label.get("from")?.string() ?? name };
  });
  checkUniqueLabels(field);
  return labels;
}

function readMapLabels(field: YamlField): MapLabel[] {
  const labels = (field.get("labels")?.items() ?? []).map((label) => {
    label.only(LABEL_KEYS);
    const name = labelName(label);
    if (label.get("from")) label.need("from").fail("`from` applies to labels from events; a map label takes `size` and `decoders`");
    const size = label.need("size").integer(1, 4096);
    const decodersField = label.get("decoders");
    const specs: DecoderSpec[] = (decodersField?.items() ?? []).map((d) => ({ name: d.need("name").string(), options: d.raw() }));
    try {
      return { name, size, decode: compileChain(specs) };
    } catch (err) {
      if (err instanceof DecoderConfigError) (decodersField ?? label).fail(err.message);
      throw err;
    }
  });
  checkUniqueLabels(field);
  return labels;
}

function readOtlp(field: YamlField): OtlpConfig {
  field.only(["endpoint", "interval_ms", "headers"]);
  const endpointField = field.need("endpoint");
  const endpoint = endpointField.string();
  if (!/^https?:\/\/[^/]/.test(endpoint)) endpointField.fail(`otlp.endpoint must be an http(s) URL, not ${JSON.stringify(endpoint)}`);
  const intervalMs = field.get("interval_ms")?.integer(100) ?? 10_000;
  const headers: Record<string, string> = {};
  for (const [k, v] of field.get("headers")?.entries() ?? []) headers[k] = v.string();
  return { endpoint, intervalMs, headers };
}
