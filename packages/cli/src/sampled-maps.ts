/**
 * Sampled maps: every map whose package metadata has a `sample` config is read every
 * `interval` ms and printed (key/value rows, or BCC-style histograms), then emptied
 * when `clear_map` is set, as libbpf-tools do between intervals.
 */
import { mapBtfTypes, type Btf } from "@eunomia/decoder";
import type { BpfMap, BpfObject } from "@eunomia/loader";
import { PackageError, type PackageMeta } from "@eunomia/loader/package";
import type { OutputMode } from "./event-output.ts";
import { SamplePrinter, type SampleConfig } from "./sample-printer.ts";

/** Options of {@link startSampling}. */
export interface SamplingOptions {
  /** The loaded (and attached) object. */
  obj: BpfObject;
  /** The object's BTF (key and value types come from its ".maps" section). */
  btf: Btf;
  meta: PackageMeta;
  mode: OutputMode;
  /** Receives each reading of each map: whole lines, each ending in "\n". */
  write: (text: string) => void;
  /** A reading that failed (the map stops being sampled). Default: one line on stderr. */
  onError?: (error: unknown, map: string) => void;
}

/** Running samplers; {@link stop} ends them. */
export interface Sampling extends Disposable {
  /** Names of the sampled maps, in package order. */
  readonly maps: string[];
  /**
   * Stops every timer and prints one last reading of each map (the part of an interval
   * since the previous one, as BCC tools print on Ctrl-C). Call it before the object is
   * closed. Idempotent.
   */
  stop(): void;
}

// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.
const ARRAY_TYPES = new Set([2, 6]);

interface Sampler {
  name: string;
  map: BpfMap;
  printer: SamplePrinter;
  clear: boolean;
  timer?: ReturnType<typeof setInterval>;
  failed: boolean;
}

/**
 * Starts sampling every map with a `sample` config in `meta` (with
 * `enable_multiple_export_types`, only those whose `export_config` exports them; a
 * `{btf_type_id}` config names the value type). Nothing is read until the first interval
 * has passed. Needs the object loaded (map access needs CAP_BPF).
 * @throws PackageError when a sample config is unusable (interval not above 0, a
 *   histogram type on a map without slots); LibbpfError when a sampled map is not in
 *   the object. Nothing is left running when it throws.
 * @example
 *   using sampling = startSampling({ obj, btf, meta: pkg.meta, mode: "text", write: (t) => process.stdout.write(t) });
 *   await stopped;          // Ctrl-C, --duration ...
 *   sampling.stop();        // last reading, before the object is closed
 */
export function startSampling(opts: SamplingOptions): Sampling {
  const onError = opts.onError ?? ((error: unknown, map: string) => {
    process.stderr.write(`ecli: sampling map '${map}' stopped: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
  });
  const samplers: Sampler[] = [];
  const configs: { name: string; sample: SampleConfig; path: string }[] = [];
  const multiple = opts.meta.enable_multiple_export_types === true;
  const overrides = new Map<string, number>();
  (opts.meta.bpf_skel.maps ?? []).forEach((m, i) => {
    if (!m.sample) return;
    const path = `meta.bpf_skel.maps[${i}]`;
    if (multiple) {
      // As in the original: with several export types, a map exports only when its
      // export_config says so ("default": its own value type, or another BTF type).
      const config = m.export_config ?? "no_export";
      if (config === "no_export") return;
      if (typeof config === "object" && "custom_members" in config) {
        throw new PackageError(`${path}.export_config: custom_members are not supported for sampled map '${m.name}'`, { path: `${path}.export_config` });
      }
      if (typeof config === "object") overrides.set(m.name, config.btf_type_id);
    }
    configs.push({ name: m.name, sample: m.sample, path });
  });
  for (const { name, sample, path } of configs) {
    if (!Number.isFinite(sample.interval) || sample.interval <= 0) {
      throw new PackageError(`${path}.sample.interval must be above 0 ms to sample map '${name}' (got ${sample.interval})`, { path: `${path}.sample.interval` });
    }
    const map = opts.obj.map(name);
    const types = { ...mapBtfTypes(opts.btf, name) };
    const override = overrides.get(name);
    if (override !== undefined) {
      if (!Number.isInteger(override) || override <= 0 || override >= opts.btf.types.length) {
        throw new PackageError(`${path}.export_config.btf_type_id ${override} is not a type of the object`, { path: `${path}.export_config` });
      }
      types.valueTypeId = override;
    }
    const printer = new SamplePrinter({ btf: opts.btf, map: name, sample, types, mode: opts.mode, path });
    samplers.push({ name, map, printer, clear: sample.clear_map === true, failed: false });
  }

  const read = (s: Sampler): void => {
    if (s.failed) return;
    try {
      const now = new Date();
      const entries = s.map.entries().map(({ key, value }) => ({ key, values: s.map.cpuValues(value) }));
      if (s.clear) {
        // Arrays cannot lose elements (clear() zeroes them); from other maps only the keys
        // just read go, so entries made since then wait for the next reading.
        if (ARRAY_TYPES.has(s.map.type)) s.map.clear();
        else for (const { key } of entries) s.map.delete(key);
      }
      const text = s.printer.print(entries, now);
      if (text !== "") opts.write(text);
    } catch (error) {
      s.failed = true;
      if (s.timer !== undefined) clearInterval(s.timer);
      onError(error, s.name);
    }
  };
  configs.forEach(({ sample }, i) => {
    const s = samplers[i];
    s.timer = setInterval(() => read(s), sample.interval);
  });

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const s of samplers) if (s.timer !== undefined) clearInterval(s.timer);
    for (const s of samplers) read(s);
  };
  return { maps: samplers.map((s) => s.name), stop, [Symbol.dispose]: stop };
}
