/**
 * Formats one reading of a sampled map (a map with a `sample` config) as `ecli run`
 * prints it every interval: `default_kv` as a table (or JSON lines) of keys and values,
 * `log2_hist` / `linear_hist` as BCC-style histograms, one per key. Pure: entries in,
 * text out; reading the map is sampled-maps.ts's job.
 */
import {
  createDecoder, formatJson, formatLinearHist, formatLog2Hist, linearHistJson, log2HistJson, TextTable,
  type Btf, type DecodedValue, type HistogramJson, type SlotCount,
} from "@eunomia/decoder";
import { PackageError, type MapSample } from "@eunomia/loader/package";
import type { OutputMode } from "./event-output.ts";
import type { MapBtfTypes } from "@eunomia/decoder";

/** A map's `sample`; `linear_hist` may add `base` (value of slot 0) and `step` (slot width). */
export type SampleConfig = MapSample & { base?: number; step?: number };

/** One entry of the map: its key and its value, once per CPU for per-CPU maps (else once). */
export interface SampledEntry {
  key: Uint8Array;
  values: Uint8Array[];
}

/** What {@link SamplePrinter} needs to know about the map. */
export interface SamplePrinterOptions {
  btf: Btf;
  map: string;
  sample: SampleConfig;
  types: MapBtfTypes;
  mode: OutputMode;
  /** Where the map sits in the package, for error messages, e.g. "meta.bpf_skel.maps[0]". */
  path?: string;
}

/** Where a histogram's counts are: a `slots` array in each value, the value itself, or one slot per key. */
type Layout = "kv" | "slots-member" | "slots-value" | "slot-keys";

type Record = { [field: string]: DecodedValue };

/** The slot count cap of the one-slot-per-key layout (keys above it are ignored). */
const MAX_KEY_SLOTS = 65536;

const isRecord = (v: DecodedValue): v is Record => typeof v === "object" && v !== null && !Array.isArray(v);

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** A value as one text cell: strings and numbers as they are, the rest as JSON. */
function cell(v: DecodedValue): string {
  return typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? String(v) : formatJson(v);
}

/** Per-CPU copies summed: numbers and bigints add up, strings/enums/bools keep the first CPU's. */
function sum(a: DecodedValue, b: DecodedValue): DecodedValue {
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (typeof a === "bigint" && typeof b === "bigint") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => sum(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const out: Record = {};
    for (const k in a) out[k] = sum(a[k], b[k]);
    return out;
  }
  return a;
}

function isCount(btf: Btf, typeId: number): boolean {
  const t = btf.resolve(typeId);
  return t.kind === "int" && !t.char && !t.bool;
}

function isCountArray(btf: Btf, typeId: number): boolean {
  const t = btf.resolve(typeId);
  return t.kind === "array" && isCount(btf, t.elemTypeId);
}

/**
 * Prints readings of one sampled map. Build it once (it checks the map's layout against
 * its sample type), then call {@link print} every interval.
 *
 * @throws PackageError when a histogram's counts cannot be found: the value must be a
 *   struct with an integer array member `slots` (libbpf-tools' `struct hist`), an
 *   integer array, or an integer with integer keys numbering the slots.
 * @example
 *   const p = new SamplePrinter({ btf, map: "hists", sample: { interval: 1000, type: "log2_hist", unit: "usecs" }, types, mode: "text" });
 *   process.stdout.write(p.print([{ key, values: [value] }], new Date()));
 */
export class SamplePrinter {
  readonly #opts: SamplePrinterOptions;
  readonly #layout: Layout;
  readonly #decodeKey: (bytes: Uint8Array) => DecodedValue;
  readonly #decodeValue: (bytes: Uint8Array) => DecodedValue;
  #table: TextTable | undefined;
  #valueNames = new Map<string, string>();

  constructor(opts: SamplePrinterOptions) {
    this.#opts = opts;
    const { btf, types } = opts;
    this.#decodeKey = types.keyTypeId !== undefined ? createDecoder(btf, types.keyTypeId) : hex;
    this.#decodeValue = types.valueTypeId !== undefined ? createDecoder(btf, types.valueTypeId) : hex;
    this.#layout = this.#findLayout();
  }

  /** The text for one reading ("" when there is nothing to show). Lines end in "\n". */
  print(entries: readonly SampledEntry[], now: Date): string {
    const decoded = entries.map((e) => ({
      key: this.#decodeKey(e.key),
      value: e.values.map((v) => this.#decodeValue(v)).reduce(sum),
    }));
    switch (this.#layout) {
      case "kv":
        return this.#opts.mode === "json" ? this.#kvJson(decoded) : this.#kvText(decoded, now);
      case "slot-keys":
        return this.#slotKeys(decoded);
      case "slots-member":
      case "slots-value":
        return decoded.map((e) => this.#histogramEntry(e.key, e.value)).join("");
      default: {
        const never: never = this.#layout;
        throw new Error(`unhandled layout ${String(never)}`);
      }
    }
  }

  #findLayout(): Layout {
    const { btf, types, sample, map } = this.#opts;
    const type = sample.type ?? "default_kv";
    if (type === "default_kv") return "kv";
    const valueId = types.valueTypeId;
    if (valueId !== undefined) {
      const value = btf.resolve(valueId);
      if ((value.kind === "struct" || value.kind === "union") && value.members.some((m) => m.name === "slots" && isCountArray(btf, m.typeId))) {
        return "slots-member";
      }
      if (isCountArray(btf, valueId)) return "slots-value";
      if (isCount(btf, valueId) && types.keyTypeId !== undefined && isCount(btf, types.keyTypeId)) return "slot-keys";
    }
    const what = valueId === undefined ? "no BTF value type" : `value type ${btf.typeName(valueId)}`;
    throw new PackageError(
      `map '${map}' is sampled as ${type}, but its ${what} holds no histogram: use a struct with an integer array member "slots", ` +
        "or integer keys numbering the slots with integer counts",
      { path: `${this.#opts.path ?? "meta.bpf_skel.maps"}.sample` },
    );
  }

  #unit(): string {
    return this.#opts.sample.unit ?? "(unit)";
  }

  #histText(slots: readonly SlotCount[]): string {
    const s = this.#opts.sample;
    return s.type === "linear_hist" ? formatLinearHist(slots, s.base ?? 0, s.step ?? 1, this.#unit()) : formatLog2Hist(slots, this.#unit());
  }

  #histJson(slots: readonly SlotCount[]): HistogramJson {
    const s = this.#opts.sample;
    return s.type === "linear_hist" ? linearHistJson(slots, s.base ?? 0, s.step ?? 1, this.#unit()) : log2HistJson(slots, this.#unit());
  }

  /** One key's histogram: `key = ...` and the value's other members, a blank line, the histogram, a blank line. */
  #histogramEntry(key: DecodedValue, value: DecodedValue): string {
    const slots = (this.#layout === "slots-member" ? (value as Record).slots : value) as SlotCount[];
    const hist = this.#histText(slots);
    if (hist === "") return ""; // nothing counted under this key
    if (this.#opts.mode === "json") {
      return `${formatJson({ map: this.#opts.map, key, value, hist: this.#histJson(slots) as unknown as DecodedValue })}\n`;
    }
    let head = isRecord(key) ? Object.entries(key).map(([k, v]) => `${k} = ${cell(v)}\n`).join("") : `key = ${cell(key)}\n`;
    if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (k !== "slots") head += `${k} = ${cell(v)}\n`;
    return `${head}\n${hist}\n`;
  }

  /** Integer keys number the slots of one histogram for the whole map. */
  #slotKeys(entries: { key: DecodedValue; value: DecodedValue }[]): string {
    const slots: SlotCount[] = [];
    for (const { key, value } of entries) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= MAX_KEY_SLOTS) continue;
      while (slots.length <= i) slots.push(0);
      slots[i] = typeof value === "bigint" ? BigInt(slots[i]) + value : Number(slots[i]) + Number(value);
    }
    const hist = this.#histText(slots);
    if (hist === "") return "";
    if (this.#opts.mode === "json") return `${formatJson({ map: this.#opts.map, hist: this.#histJson(slots) as unknown as DecodedValue })}\n`;
    return `${hist}\n`;
  }

  #kvJson(entries: { key: DecodedValue; value: DecodedValue }[]): string {
    return entries.map(({ key, value }) => `${formatJson({ map: this.#opts.map, key, value })}\n`).join("");
  }

  /** A table: TIME, the key's fields (or KEY), the value's fields (or VALUE); header once. */
  #kvText(entries: { key: DecodedValue; value: DecodedValue }[], now: Date): string {
    if (entries.length === 0) return "";
    let out = "";
    if (!this.#table) {
      const first = entries[0];
      const keyFields = isRecord(first.key) ? Object.keys(first.key) : ["key"];
      const valueFields = isRecord(first.value) ? Object.keys(first.value) : ["value"];
      for (const f of valueFields) this.#valueNames.set(f, keyFields.includes(f) ? `value.${f}` : f);
      this.#table = new TextTable([...keyFields, ...valueFields.map((f) => this.#valueNames.get(f)!)]);
      out += `${this.#table.header()}\n`;
    }
    for (const { key, value } of entries) {
      const row: Record = isRecord(key) ? { ...key } : { key };
      if (isRecord(value)) for (const [k, v] of Object.entries(value)) row[this.#valueNames.get(k) ?? k] = v;
      else row.value = value;
      out += `${this.#table.row(now, row)}\n`;
    }
    return out;
  }
}
