/** The exporter's configuration, as checked (see read-config.ts for the YAML it comes from). */
import type { DecodeStep } from "../decoders/label-decoder.ts";

/** Where a config item sits in its file, for messages: "config.yaml:12:9". */
export type Place = string;

/** Where a program's package comes from. */
export type ProgramSource =
  | { kind: "file"; path: string }
  | { kind: "inline"; data: string }
  | { kind: "oci"; ref: string };

/** A label read from an event field (`from`, or the label's own name). */
export interface EventLabel {
  name: string;
  field: string;
}

/** A label cut from `size` bytes of a map key and passed through its decoders. */
export interface MapLabel {
  name: string;
  size: number;
  decode: DecodeStep;
}

interface MetricBase {
  name: string;
  help: string;
  /** Series beyond this many are dropped and counted in a self-metric. */
  maxSeries: number;
  at: Place;
}

/** A counter incremented once per event (the original eunomia-exporter model). */
export interface EventCounter extends MetricBase {
  source: "events";
  labels: EventLabel[];
}

/** A histogram observing a numeric event field. */
export interface EventHistogram extends MetricBase {
  source: "events";
  labels: EventLabel[];
  field: string;
  buckets: number[];
}

/** A counter read from a map at scrape time (the ebpf_exporter model): one series per key. */
export interface MapCounter extends MetricBase {
  source: "map";
  map: string;
  labels: MapLabel[];
}

/** A histogram read from a map: the last label is the bucket index, the value its count. */
export interface MapHistogram extends MetricBase {
  source: "map";
  map: string;
  labels: MapLabel[];
  bucketType: "exp2" | "linear";
  bucketMin: number;
  bucketMax: number;
  bucketMultiplier: number;
}

export type CounterConfig = EventCounter | MapCounter;
export type HistogramConfig = EventHistogram | MapHistogram;

/** One program to run and the metrics it feeds. */
export interface ProgramConfig {
  name: string;
  source: ProgramSource;
  /** Values for the program's globals (`ecli run`'s flags), by global name. */
  flags: Record<string, string | number | boolean>;
  counters: CounterConfig[];
  histograms: HistogramConfig[];
  at: Place;
}

/** OTLP push of the same metrics. */
export interface OtlpConfig {
  /** Full URL of the collector's metrics endpoint, e.g. http://127.0.0.1:4318/v1/metrics. */
  endpoint: string;
  intervalMs: number;
  headers: Record<string, string>;
}

export interface ExporterConfig {
  programs: ProgramConfig[];
  otlp?: OtlpConfig;
}
