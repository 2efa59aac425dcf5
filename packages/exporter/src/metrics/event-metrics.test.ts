import { describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { readProgramConfig } from "../config/read-config.ts";
import type { EventCounter, EventHistogram } from "../config/config-types.ts";
import { checkEventFields, EventMetrics } from "./event-metrics.ts";
import { SelfMetrics } from "./self-metrics.ts";

function setup(metricsYaml: string) {
  const registry = new Registry();
  const self = new SelfMetrics(registry);
  const config = readProgramConfig(`name: p\noci: r/x:1\nmetrics:\n${metricsYaml}`, "c.yaml");
  const metrics = new EventMetrics("p", config.counters as EventCounter[], config.histograms as EventHistogram[], registry, self);
  const lines = async (prefix: string) => (await registry.metrics()).split("\n").filter((l) => l.startsWith(prefix));
  return { metrics, lines, config };
}

describe("EventMetrics", () => {
  test("counters: one series per label values, every width exact, values as plain strings", async () => {
    const { metrics, lines } = setup("  counters:\n    - name: opens_total\n      labels: [{ name: pid }, { name: comm }, { name: big, from: n }]");
    metrics.handle({ pid: 7, comm: "bash", n: 18446744073709551615n });
    metrics.handle({ pid: 7, comm: "bash", n: 18446744073709551615n });
    metrics.handle({ pid: 8, comm: "sh", n: 0n });
    expect(await lines("opens_total{")).toEqual([
      'opens_total{pid="7",comm="bash",big="18446744073709551615"} 2',
      'opens_total{pid="8",comm="sh",big="0"} 1',
    ]);
  });

  test("max_series: updates past the limit are dropped and counted per metric", async () => {
    const { metrics, lines } = setup("  counters:\n    - name: opens_total\n      max_series: 2\n      labels: [{ name: pid }]");
    for (const pid of [1, 2, 3, 3, 1]) metrics.handle({ pid });
    expect(await lines("opens_total{")).toEqual(['opens_total{pid="1"} 2', 'opens_total{pid="2"} 1']);
    expect(await lines("ecli_exporter_series_dropped_total{")).toEqual(['ecli_exporter_series_dropped_total{metric="opens_total"} 2']);
  });

  test("histograms: a numeric field observed into its buckets; a non-numeric one is a decode error", async () => {
    const { metrics, lines } = setup("  histograms:\n    - name: sizes\n      field: size\n      buckets: [10, 100]\n      labels: [{ name: comm }]");
    for (const size of [5, 50, 500, 50n]) metrics.handle({ comm: "dd", size });
    metrics.handle({ comm: "dd", size: "big" });
    expect(await lines("sizes_")).toEqual([
      'sizes_bucket{le="10",comm="dd"} 1',
      'sizes_bucket{le="100",comm="dd"} 3',
      'sizes_bucket{le="+Inf",comm="dd"} 4',
      'sizes_sum{comm="dd"} 605',
      'sizes_count{comm="dd"} 4',
    ]);
    expect(await lines("ecli_exporter_decode_errors_total{")).toEqual(['ecli_exporter_decode_errors_total{program="p",metric="sizes"} 1']);
  });

  test("remove() takes the metrics out of the registry", async () => {
    const { metrics, lines } = setup("  counters:\n    - name: opens_total\n      labels: [{ name: pid }]");
    metrics.handle({ pid: 1 });
    metrics.remove();
    expect(await lines("opens_total")).toEqual([]);
  });

  test("checkEventFields names the missing field and the fields there are", () => {
    const { config } = setup("  counters:\n    - name: opens_total\n      labels: [{ name: file, from: filename }]");
    expect(() => checkEventFields("p", config.counters as EventCounter[], ["pid", "fname"])).toThrow(
      'c.yaml:5:7: metric opens_total of program p reads event field "filename", which the event does not have (fields: pid, fname)');
  });
});
