/**
 * OTLP push of the same metrics /metrics shows: a MetricProducer turns the prom-client
 * Registry's current values into OpenTelemetry metric data, and the SDK's periodic
 * reader sends them with the OTLP HTTP (JSON) exporter. Imported only when a config
 * has `otlp:`, so `ecli run` never loads the OpenTelemetry SDK.
 */
import { ValueType, type Attributes, type HrTime } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality, DataPointType, MeterProvider, PeriodicExportingMetricReader,
  type CollectionResult, type MetricData, type MetricProducer,
} from "@opentelemetry/sdk-metrics";
import type { MetricObjectWithValues, MetricValue, Registry } from "prom-client";
import type { OtlpConfig } from "./config/config-types.ts";

type PromMetric = MetricObjectWithValues<MetricValue<string>>;

const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

function attributes(labels: Record<string, string | number> | undefined, drop?: string): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (k !== drop) out[k] = String(v);
  return out;
}

/** One prom-client histogram's `_bucket`/`_sum`/`_count` values as OTel histogram points. */
function histogramPoints(metric: PromMetric, start: HrTime, end: HrTime) {
  const groups = new Map<string, { attrs: Attributes; bounds: [number, number][]; sum: number; count: number }>();
  for (const v of metric.values) {
    const labels = v.labels as Record<string, string | number>;
    const attrs = attributes(labels, "le");
    const id = JSON.stringify(attrs);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { attrs, bounds: [], sum: 0, count: 0 }));
    const name = (v as { metricName?: string }).metricName ?? "";
    if (name.endsWith("_bucket")) {
      const le = String(labels.le);
      if (le !== "+Inf") g.bounds.push([Number(le), v.value]);
    } else if (name.endsWith("_sum")) g.sum = v.value;
    else if (name.endsWith("_count")) g.count = v.value;
  }
  return [...groups.values()].map((g) => {
    g.bounds.sort((a, b) => a[0] - b[0]);
    // Prometheus buckets are cumulative; OTLP counts are per bucket, plus one past the last bound.
    const counts = g.bounds.map(([, c], i) => c - (i > 0 ? g.bounds[i - 1][1] : 0));
    counts.push(g.count - (g.bounds.at(-1)?.[1] ?? 0));
    return { startTime: start, endTime: end, attributes: g.attrs, value: { buckets: { boundaries: g.bounds.map(([b]) => b), counts }, sum: g.sum, count: g.count } };
  });
}

/** prom-client metrics to OTel metric data: counters as monotonic sums, gauges, histograms. */
export function toMetricData(metrics: readonly PromMetric[], startMs: number, nowMs: number): MetricData[] {
  const start = hrTime(startMs);
  const end = hrTime(nowMs);
  const out: MetricData[] = [];
  for (const m of metrics) {
    const descriptor = { name: m.name, description: m.help, unit: "", valueType: ValueType.DOUBLE };
    const type = String(m.type);
    if (type === "histogram") {
      out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints: histogramPoints(m, start, end) });
      continue;
    }
    const dataPoints = m.values.map((v) => ({ startTime: start, endTime: end, attributes: attributes(v.labels as Record<string, string | number>), value: v.value }));
    if (type === "counter") {
      out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints });
    } else {
      out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints });
    }
  }
  return out;
}

/** Pushes the registry's metrics every `intervalMs`; stop() sends a last batch and ends. */
export class OtlpPush {
  readonly #provider: MeterProvider;

  constructor(registry: Registry, config: OtlpConfig) {
    const startMs = Date.now();
    const producer: MetricProducer = {
      async collect(): Promise<CollectionResult> {
        const metrics = (await registry.getMetricsAsJSON()) as PromMetric[];
        return {
          resourceMetrics: {
            resource: resourceFromAttributes({}),
            scopeMetrics: [{ scope: { name: "ecli-exporter" }, metrics: toMetricData(metrics, startMs, Date.now()) }],
          },
          errors: [],
        };
      },
    };
    const exporter = new OTLPMetricExporter({ url: config.endpoint, headers: config.headers });
    const reader = new PeriodicExportingMetricReader({
      exporter, exportIntervalMillis: config.intervalMs, exportTimeoutMillis: Math.min(config.intervalMs, 30_000), metricProducers: [producer],
    });
    this.#provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": "ecli-exporter" }), readers: [reader] });
  }

  /** Sends what is there now (used at shutdown and by tests). */
  async flush(): Promise<void> {
    await this.#provider.forceFlush();
  }

  async stop(): Promise<void> {
    await this.#provider.shutdown();
  }
}
