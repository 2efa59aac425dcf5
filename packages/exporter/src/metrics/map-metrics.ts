/**
 * Metrics read from a kernel map at scrape time (the ebpf_exporter model): each key is
 * cut into label slices that pass through their decoder chains; the value (an unsigned
 * integer, summed over CPUs for per-CPU maps) is the counter's value or a bucket's count.
 */
import { bucketBound } from "../config/read-config.ts";
import { ConfigError } from "../config/config-error.ts";
import type { MapCounter, MapHistogram, MapLabel } from "../config/config-types.ts";
import { bytesText, readUintLE } from "../decoders/label-decoder.ts";
import type { CollectedValue } from "./collected-metric.ts";

/** What a map metric needs of a live map (BpfMap has it; `entries` may read in batches). */
export interface MapSource {
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly perCpu: boolean;
  entries(): { key: Uint8Array; value: Uint8Array }[];
  cpuValues(value: Uint8Array): Uint8Array[];
}

/** Counts that are not a single series' update: decode failures and limit drops. */
export interface MapReadProblems {
  decodeError(): void;
  seriesDropped(): void;
}

/** Fails unless the labels' sizes add up to the map's key size and values are 1 to 8 bytes. */
export function checkMapShape(metric: MapCounter | MapHistogram, map: MapSource): void {
  const total = metric.labels.reduce((n, l) => n + l.size, 0);
  if (total !== map.keySize) {
    const sizes = metric.labels.map((l) => `${l.name}: ${l.size}`).join(", ");
    throw new ConfigError(`${metric.at}: the labels of ${metric.name} take ${total} bytes (${sizes}) but keys of map ${map.name} are ${map.keySize} bytes`);
  }
  const width = map.valueSize / (map.perCpu ? map.cpuValues(new Uint8Array(map.valueSize)).length : 1);
  if (!map.perCpu && (width < 1 || width > 8)) {
    throw new ConfigError(`${metric.at}: values of map ${map.name} are ${width} bytes; ${metric.name} needs an integer of 1 to 8 bytes`);
  }
}

/** The value of an entry: the integer itself, or the sum over CPUs. */
function entryValue(map: MapSource, value: Uint8Array): number {
  if (!map.perCpu) return Number(readUintLE(value));
  let sum = 0n;
  for (const v of map.cpuValues(value)) sum += readUintLE(v);
  return Number(sum);
}

/** Decoded label values of a key, or null when a decoder drops the series. */
function decodeKeyUncached(labels: readonly MapLabel[], key: Uint8Array): string[] | null {
  const out: string[] = [];
  let offset = 0;
  for (const label of labels) {
    const decoded = label.decode(key.subarray(offset, offset + label.size));
    if (decoded === null) return null;
    out.push(bytesText(decoded));
    offset += label.size;
  }
  return out;
}

// Decoders are pure, and a map's keys mostly stay from one scrape to the next: each
// metric remembers what its keys decoded to (bounded; forgotten wholesale when full).
const decodedKeys = new WeakMap<readonly MapLabel[], Map<string, string[] | null>>();
const CACHE_LIMIT = 200_000;

function decodeKey(labels: readonly MapLabel[], key: Uint8Array): string[] | null {
  let cache = decodedKeys.get(labels);
  if (!cache) decodedKeys.set(labels, (cache = new Map()));
  const id = String.fromCharCode.apply(null, key as unknown as number[]);
  const known = cache.get(id);
  if (known !== undefined) return known === null ? null : known.slice();
  const decoded = decodeKeyUncached(labels, key);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(id, decoded);
  return decoded === null ? null : decoded.slice();
}

function record(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((n, i) => (labels[n] = values[i]));
  return labels;
}

/**
 * The map's entries whose keys decode to label values; a key a decoder fails on counts
 * as a decode error, one a decoder filters out (null) is skipped.
 */
function* decodedEntries(labels: readonly MapLabel[], map: MapSource, problems: MapReadProblems): Generator<{ labels: string[]; value: Uint8Array }> {
  for (const { key, value } of map.entries()) {
    let decoded: string[] | null;
    try {
      decoded = decodeKey(labels, key);
    } catch {
      problems.decodeError();
      continue;
    }
    if (decoded !== null) yield { labels: decoded, value };
  }
}

/** A map counter's series now: one per key that decodes, up to max_series. */
export function readMapCounter(metric: MapCounter, map: MapSource, problems: MapReadProblems): CollectedValue[] {
  const names = metric.labels.map((l) => l.name);
  const sums = new Map<string, { labels: string[]; value: number }>();
  for (const { labels, value } of decodedEntries(metric.labels, map, problems)) {
    // Keys that decode alike (e.g. a regexp-kept prefix) add up into one series.
    const id = labels.join("\0");
    const series = sums.get(id);
    if (series) series.value += entryValue(map, value);
    else if (sums.size >= metric.maxSeries) problems.seriesDropped();
    else sums.set(id, { labels, value: entryValue(map, value) });
  }
  return [...sums.values()].map((s) => ({ labels: record(names, s.labels), value: s.value }));
}

/**
 * A map histogram's series now. The last label is the bucket index (after its decoders,
 * e.g. `uint`); indexes outside bucket_min..bucket_max count in the nearest end bucket.
 * `_sum` is an estimate: each count times its bucket's upper bound (a map keeps no sum).
 */
export function readMapHistogram(metric: MapHistogram, map: MapSource, problems: MapReadProblems): CollectedValue[] {
  const names = metric.labels.slice(0, -1).map((l) => l.name);
  const slots = metric.bucketMax - metric.bucketMin + 1;
  const groups = new Map<string, { labels: string[]; counts: number[] }>();
  for (const { labels, value } of decodedEntries(metric.labels, map, problems)) {
    const bucketText = labels.pop()!;
    const index = Number(bucketText);
    if (!/^\d+$/.test(bucketText)) {
      problems.decodeError();
      continue;
    }
    const id = labels.join("\0");
    let group = groups.get(id);
    if (!group) {
      if (groups.size >= metric.maxSeries) {
        problems.seriesDropped();
        continue;
      }
      group = { labels, counts: new Array<number>(slots).fill(0) };
      groups.set(id, group);
    }
    const slot = Math.min(Math.max(index, metric.bucketMin), metric.bucketMax) - metric.bucketMin;
    group.counts[slot] += entryValue(map, value);
  }
  const out: CollectedValue[] = [];
  for (const { labels, counts } of groups.values()) {
    const base = record(names, labels);
    let cumulative = 0;
    let sum = 0;
    counts.forEach((count, i) => {
      const bound = bucketBound(metric.bucketType, metric.bucketMin + i, metric.bucketMultiplier);
      cumulative += count;
      sum += count * bound;
      out.push({ metricName: `${metric.name}_bucket`, labels: { ...base, le: bound }, value: cumulative });
    });
    out.push({ metricName: `${metric.name}_bucket`, labels: { ...base, le: "+Inf" }, value: cumulative });
    out.push({ metricName: `${metric.name}_sum`, labels: base, value: sum });
    out.push({ metricName: `${metric.name}_count`, labels: base, value: cumulative });
  }
  return out;
}
