/**
 * A metric whose values are computed when it is scraped (map contents, kernel BPF stats,
 * lost-event counts), registered in a prom-client Registry beside ordinary metrics so
 * one Registry writes the whole exposition.
 */
import type { MetricObjectWithValues, MetricType, MetricValue, Registry } from "prom-client";

/** One value of a collected metric; `metricName` for histogram parts (`_bucket`, `_sum`, `_count`). */
export interface CollectedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's Registry needs of a metric: a name, help, type and get(). */
export class CollectedMetric {
  readonly aggregator = "sum" as const;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
    readonly collect: () => CollectedValue[],
  ) {}

  /** Called by Registry.metrics() and getMetricsAsJSON() on every scrape. */
  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    return {
      name: this.name,
      help: this.help,
      type: this.type as unknown as MetricType,
      aggregator: this.aggregator,
      values: this.collect() as MetricValue<string>[],
    } as unknown as MetricObjectWithValues<MetricValue<string>>;
  }

  /** Adds this metric to `registry` (prom-client takes any object with name and get()). */
  register(registry: Registry): this {
    registry.registerMetric(this as never);
    return this;
  }
}
