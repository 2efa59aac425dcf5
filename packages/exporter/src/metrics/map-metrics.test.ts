import { describe, expect, test } from "bun:test";
import type { MapCounter, MapHistogram } from "../config/config-types.ts";
import { compileChain } from "../decoders/registry.ts";
import { checkMapShape, readMapCounter, readMapHistogram, type MapSource } from "./map-metrics.ts";

const u32 = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
const u64 = (...v: bigint[]) => new Uint8Array(new BigUint64Array(v).buffer);
const uint = compileChain([{ name: "uint", options: {} }]);
const syscall = compileChain([{ name: "uint", options: {} }, { name: "syscall", options: {} }]);

/** Map contents as the loader's BpfMap hands them over (the data, not the kernel). */
function mapOf(entries: { key: Uint8Array; value: Uint8Array }[], opts: { cpus?: number; keySize?: number } = {}): MapSource {
  const cpus = opts.cpus ?? 1;
  return {
    name: "m", keySize: opts.keySize ?? entries[0]?.key.length ?? 8, valueSize: 8 * cpus, perCpu: cpus > 1,
    entries: () => entries,
    cpuValues: (v) => Array.from({ length: cpus }, (_, i) => v.subarray(i * 8, i * 8 + 8)),
  };
}

function problems() {
  const counts = { decode: 0, dropped: 0 };
  return { counts, sink: { decodeError: () => counts.decode++, seriesDropped: () => counts.dropped++ } };
}

const counter = (over: Partial<MapCounter> = {}): MapCounter => ({
  source: "map", name: "calls_total", help: "h", maxSeries: 100, at: "c.yaml:1:1", map: "m",
  labels: [{ name: "syscall", size: 4, decode: syscall }], ...over,
});

const histogram: MapHistogram = {
  source: "map", name: "lat_seconds", help: "h", maxSeries: 100, at: "c.yaml:1:1", map: "m",
  labels: [{ name: "syscall", size: 4, decode: syscall }, { name: "bucket", size: 4, decode: uint }],
  bucketType: "exp2", bucketMin: 0, bucketMax: 2, bucketMultiplier: 1,
};

describe("map counters", () => {
  test("one series per key, labels decoded, per-CPU values summed", () => {
    const map = mapOf([{ key: u32(0), value: u64(1n, 2n, 3n) }, { key: u32(74), value: u64(10n, 0n, 5n) }], { cpus: 3 });
    const { counts, sink } = problems();
    expect(readMapCounter(counter(), map, sink)).toEqual([
      { labels: { syscall: "read" }, value: 6 },
      { labels: { syscall: "fsync" }, value: 15 },
    ]);
    expect(counts).toEqual({ decode: 0, dropped: 0 });
  });

  test("max_series: keys past the limit are dropped and counted", () => {
    const map = mapOf([0, 1, 2, 3].map((n) => ({ key: u32(n), value: u64(1n) })));
    const { counts, sink } = problems();
    expect(readMapCounter(counter({ maxSeries: 2 }), map, sink).map((v) => v.labels.syscall)).toEqual(["read", "write"]);
    expect(counts.dropped).toBe(2);
  });

  test("a regexp decoder that drops a key drops its series, silently", () => {
    const keepRead = compileChain([{ name: "uint", options: {} }, { name: "syscall", options: {} }, { name: "regexp", options: { regexps: ["^read$"] } }]);
    const map = mapOf([{ key: u32(0), value: u64(4n) }, { key: u32(1), value: u64(9n) }]);
    const { counts, sink } = problems();
    expect(readMapCounter(counter({ labels: [{ name: "syscall", size: 4, decode: keepRead }] }), map, sink)).toEqual([{ labels: { syscall: "read" }, value: 4 }]);
    expect(counts).toEqual({ decode: 0, dropped: 0 });
  });
});

describe("map histograms", () => {
  test("cumulative buckets by exp2 bound, out-of-range slots in the end buckets, +Inf, sum estimate and count", () => {
    const map = mapOf([
      { key: u32(0, 0), value: u64(1n) }, // read, slot 0 (le 1)
      { key: u32(0, 1), value: u64(2n) }, // read, slot 1 (le 2)
      { key: u32(0, 9), value: u64(4n) }, // read, slot 9: counted in the last bucket (le 4)
      { key: u32(1, 2), value: u64(3n) }, // write, slot 2
    ]);
    const { sink } = problems();
    expect(readMapHistogram(histogram, map, sink)).toEqual([
      { metricName: "lat_seconds_bucket", labels: { syscall: "read", le: 1 }, value: 1 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "read", le: 2 }, value: 3 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "read", le: 4 }, value: 7 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "read", le: "+Inf" }, value: 7 },
      { metricName: "lat_seconds_sum", labels: { syscall: "read" }, value: 1 * 1 + 2 * 2 + 4 * 4 },
      { metricName: "lat_seconds_count", labels: { syscall: "read" }, value: 7 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "write", le: 1 }, value: 0 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "write", le: 2 }, value: 0 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "write", le: 4 }, value: 3 },
      { metricName: "lat_seconds_bucket", labels: { syscall: "write", le: "+Inf" }, value: 3 },
      { metricName: "lat_seconds_sum", labels: { syscall: "write" }, value: 12 },
      { metricName: "lat_seconds_count", labels: { syscall: "write" }, value: 3 },
    ]);
  });

  test("a bucket label that does not decode to a number is a decode error", () => {
    const text = compileChain([{ name: "hex", options: {} }]);
    const map = mapOf([{ key: u32(0, 0xab), value: u64(1n) }]);
    const { counts, sink } = problems();
    const h = { ...histogram, labels: [histogram.labels[0], { name: "bucket", size: 4, decode: text }] };
    expect(readMapHistogram(h, map, sink)).toEqual([]);
    expect(counts.decode).toBe(1);
  });
});

describe("checkMapShape", () => {
  test("label sizes must add up to the key size", () => {
    expect(() => checkMapShape(histogram, mapOf([], { keySize: 12 }))).toThrow(
      "c.yaml:1:1: the labels of lat_seconds take 8 bytes (syscall: 4, bucket: 4) but keys of map m are 12 bytes");
    expect(() => checkMapShape(histogram, mapOf([], { keySize: 8 }))).not.toThrow();
  });
});
