/**
 * Metrics fed by events (the original eunomia-exporter model): each event increments
 * its counters and observes its histograms, with label values taken from event fields.
 */
import type { EventRecord } from "@eunomia/loader";
import { Counter, Histogram, type Registry } from "prom-client";
import type { EventCounter, EventHistogram, EventLabel } from "../config/config-types.ts";
import { ConfigError } from "../config/config-error.ts";
import { labelValue, numericValue } from "./label-value.ts";
import type { SelfMetrics } from "./self-metrics.ts";
import { SeriesLimit } from "./series-limit.ts";

/** One metric's per-event update. */
type Update = (event: EventRecord) => void;

/**
 * Fails when a label or histogram field names no field of the event type, so a typo is
 * caught at start, not as a silent empty label.
 */
export function checkEventFields(program: string, metrics: readonly (EventCounter | EventHistogram)[], fields: readonly string[]): void {
  for (const m of metrics) {
    const wanted = [...m.labels.map((l) => l.field), ...("field" in m ? [m.field] : [])];
    const missing = wanted.find((f) => !fields.includes(f));
    if (missing !== undefined) {
      throw new ConfigError(`${m.at}: metric ${m.name} of program ${program} reads event field ${JSON.stringify(missing)}, which the event does not have (fields: ${fields.join(", ") || "none"})`);
    }
  }
}

function labelsOf(labels: readonly EventLabel[], event: EventRecord): string[] {
  return labels.map((l) => labelValue(event[l.field]));
}

// Observations a histogram series buffers before it hands them to prom-client.
const MAX_PENDING = 4096;

/**
 * The counters and histograms of one program, fed one event at a time. The hot path
 * only adds to plain per-series numbers; they reach the prom-client metrics (which hash
 * their labels on every call) when the metrics are collected, i.e. at each scrape.
 */
export class EventMetrics {
  readonly #updates: Update[];
  readonly #names: string[];
  readonly #registry: Registry;

  constructor(program: string, counters: readonly EventCounter[], histograms: readonly EventHistogram[], registry: Registry, self: SelfMetrics) {
    this.#registry = registry;
    this.#names = [...counters, ...histograms].map((m) => m.name);
    const counterUpdates = counters.map((c): Update => {
      const all: { child: { inc(n: number): void }; pending: number }[] = [];
      const metric: Counter = new Counter({
        name: c.name, help: c.help, labelNames: c.labels.map((l) => l.name), registers: [registry],
        collect() {
          for (const s of all) {
            if (s.pending === 0) continue;
            s.child.inc(s.pending);
            s.pending = 0;
          }
        },
      });
      const series = new SeriesLimit<{ child: { inc(n: number): void }; pending: number }>(c.maxSeries, () => self.seriesDropped.inc({ metric: c.name }));
      return (event) => {
        const values = labelsOf(c.labels, event);
        const s = series.get(values.join("\0"), () => {
          const made = { child: metric.labels(...values), pending: 0 };
          all.push(made);
          return made;
        });
        if (s) s.pending++;
      };
    });
    const histogramUpdates = histograms.map((h): Update => {
      type Series = { child: { observe(v: number): void }; pending: number[] };
      const all: Series[] = [];
      const flush = (s: Series) => {
        for (const v of s.pending) s.child.observe(v);
        s.pending.length = 0;
      };
      const metric: Histogram = new Histogram({
        name: h.name, help: h.help, labelNames: h.labels.map((l) => l.name), buckets: h.buckets, registers: [registry],
        collect() {
          for (const s of all) flush(s);
        },
      });
      const series = new SeriesLimit<Series>(h.maxSeries, () => self.seriesDropped.inc({ metric: h.name }));
      const errors = self.decodeErrors.labels(program, h.name);
      return (event) => {
        const value = numericValue(event[h.field]);
        if (value === undefined) return void errors.inc();
        const values = labelsOf(h.labels, event);
        const s = series.get(values.join("\0"), () => {
          const made: Series = { child: metric.labels(...values), pending: [] };
          all.push(made);
          return made;
        });
        if (s && s.pending.push(value) >= MAX_PENDING) flush(s);
      };
    });
    this.#updates = [...counterUpdates, ...histogramUpdates];
  }

  /** True when there is anything to feed (else the program's events need not be read). */
  get wanted(): boolean {
    return this.#updates.length > 0;
  }

  /** Applies one event to every metric. */
  handle(event: EventRecord): void {
    for (const update of this.#updates) update(event);
  }

  /** Takes the metrics out of the registry (their program stopped). */
  remove(): void {
    for (const name of this.#names) this.#registry.removeSingleMetric(name);
  }
}
