/**
 * The exporter's own metrics: events handled and lost, decode errors, series dropped by
 * the cardinality limit, scrape duration, and (when the kernel's BPF stats are on)
 * each BPF program's run count and run time.
 */
import { Counter, Histogram, type Registry } from "prom-client";
import { CollectedMetric, type CollectedValue } from "./collected-metric.ts";

/** Per-program facts read at scrape time. */
export interface ProgramStatsSource {
  /** The config's program name. */
  name: string;
  /** Events handled so far. */
  eventsHandled(): number;
  /** Events lost so far (undefined when the program keeps no count). */
  lost(): bigint | undefined;
  /** Run count and time of each BPF program; empty when the kernel's BPF stats are off. */
  runStats(): { program: string; runCount: bigint; runTimeNs: bigint }[];
}

export class SelfMetrics {
  readonly decodeErrors: Counter<"program" | "metric">;
  readonly seriesDropped: Counter<"metric">;
  readonly scrapeDuration: Histogram;
  readonly #programs = new Set<ProgramStatsSource>();

  constructor(registry: Registry) {
    const registers = [registry];
    // Read from the programs' own counts at scrape time: a prom-client inc() per event costs more than the event.
    new CollectedMetric("ecli_exporter_events_total", "Events read from programs' ring or perf buffers and handled.", "counter", () =>
      [...this.#programs].map((p) => ({ labels: { program: p.name }, value: p.eventsHandled() }))).register(registry);
    this.decodeErrors = new Counter({ name: "ecli_exporter_decode_errors_total", help: "Events or map entries that could not be turned into a metric update.", labelNames: ["program", "metric"], registers });
    this.seriesDropped = new Counter({ name: "ecli_exporter_series_dropped_total", help: "Updates dropped because their metric was at its max_series limit.", labelNames: ["metric"], registers });
    this.scrapeDuration = new Histogram({
      name: "ecli_exporter_scrape_duration_seconds", help: "Time to build the /metrics response, map reads included.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers,
    });
    new CollectedMetric("ecli_exporter_events_lost_total", "Events the kernel side could not deliver (ring buffer full, perf samples lost).", "counter", () =>
      [...this.#programs].flatMap((p) => {
        const lost = p.lost();
        return lost === undefined ? [] : [{ labels: { program: p.name }, value: Number(lost) }];
      })).register(registry);
    new CollectedMetric("ecli_exporter_bpf_program_run_count_total", "Times each BPF program ran (kernel BPF stats; needs kernel.bpf_stats_enabled=1).", "counter", () =>
      this.#runStats((s) => Number(s.runCount))).register(registry);
    new CollectedMetric("ecli_exporter_bpf_program_run_seconds_total", "Time spent in each BPF program (kernel BPF stats; needs kernel.bpf_stats_enabled=1).", "counter", () =>
      this.#runStats((s) => Number(s.runTimeNs) / 1e9)).register(registry);
  }

  /** Starts reporting a program's lost events and run stats. */
  add(program: ProgramStatsSource): void {
    this.#programs.add(program);
  }

  /** Stops reporting a program (it was stopped). */
  remove(program: ProgramStatsSource): void {
    this.#programs.delete(program);
  }

  #runStats(pick: (s: { runCount: bigint; runTimeNs: bigint }) => number): CollectedValue[] {
    return [...this.#programs].flatMap((p) =>
      p.runStats().map((s) => ({ labels: { program: p.name, bpf_program: s.program }, value: pick(s) })));
  }
}
