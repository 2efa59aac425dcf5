/**
 * One program of the exporter: its package started in the kernel, its event metrics fed
 * from the ring/perf buffer by a background loop, its map metrics read at scrape time.
 */
import { readFileSync } from "node:fs";
import { mapBtfTypes } from "@eunomia/decoder";
import type { PackageProgram, RunningProgram } from "@eunomia/loader";
import type { Registry } from "prom-client";
import { ConfigError } from "./config/config-error.ts";
import type { EventCounter, EventHistogram, MapCounter, MapHistogram, ProgramConfig } from "./config/config-types.ts";
import { CollectedMetric } from "./metrics/collected-metric.ts";
import { checkEventFields, EventMetrics } from "./metrics/event-metrics.ts";
import { checkMapShape, readMapCounter, readMapHistogram, type MapSource } from "./metrics/map-metrics.ts";
import type { ProgramStatsSource, SelfMetrics } from "./metrics/self-metrics.ts";
import { openSource } from "./package-source.ts";

// Metrics are read every few seconds, so events can wait a moment: reading a busy buffer
// 2 ms after it wakes us, all of it at once, costs a third of the CPU per event.
const COALESCE_MS = 2;
const DRAIN_BATCH = 65_536;

/** What the program API lists about a running program. */
export interface ProgramSummary {
  id: number;
  name: string;
  metrics: string[];
  events: number;
}

/** True while the kernel counts BPF program run time (`sysctl kernel.bpf_stats_enabled=1`). */
function bpfStatsEnabled(): boolean {
  try {
    return readFileSync("/proc/sys/kernel/bpf_stats_enabled", "utf8").trim() === "1";
  } catch {
    return false;
  }
}

/** Event fields of the package's export type, in declaration order. */
function eventFields(pkg: PackageProgram): string[] {
  return pkg.meta.export_types[0]?.members.map((m) => m.name) ?? [];
}

/** Checks what can be checked without the kernel: event fields exist, maps exist. */
export function checkAgainstPackage(config: ProgramConfig, pkg: PackageProgram): void {
  const eventMetrics = [...config.counters, ...config.histograms].filter((m): m is EventCounter | EventHistogram => m.source === "events");
  if (eventMetrics.length > 0) {
    const fields = eventFields(pkg);
    if (fields.length === 0) throw new ConfigError(`${config.at}: program ${config.name} has metrics from events, but its package exports no event type`);
    checkEventFields(config.name, eventMetrics, fields);
  }
  // Internal maps (.rodata, .bss) hold globals, never metrics.
  const maps = (pkg.meta.bpf_skel.maps ?? []).map((m) => m.name).filter((name) => !name.includes("."));
  for (const m of [...config.counters, ...config.histograms]) {
    if (m.source === "map" && !maps.includes(m.map)) {
      throw new ConfigError(`${m.at}: metric ${m.name} reads map ${JSON.stringify(m.map)}, which program ${config.name} does not have (maps: ${maps.join(", ") || "none"})`);
    }
    // Key sizes are checked here when the map's BTF says them, and again against the live map at start.
    const keyTypeId = m.source === "map" ? mapBtfTypes(pkg.btf, m.map)?.keyTypeId : undefined;
    if (m.source === "map" && keyTypeId !== undefined) {
      const keySize = pkg.btf.sizeOf(keyTypeId);
      checkMapShape(m, { name: m.map, keySize, valueSize: 8, perCpu: false, entries: () => [], cpuValues: (v) => [v] });
    }
  }
}

/** A started program and its metrics. Stop it with {@link stop} (idempotent). */
export class ExportedProgram implements ProgramStatsSource {
  readonly id: number;
  readonly config: ProgramConfig;
  readonly name: string;
  readonly #running: RunningProgram;
  readonly #events: EventMetrics;
  readonly #mapMetricNames: string[] = [];
  readonly #registry: Registry;
  readonly #self: SelfMetrics;
  readonly #abort = new AbortController();
  #handled = 0;
  #loop: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(id: number, config: ProgramConfig, running: RunningProgram, registry: Registry, self: SelfMetrics) {
    this.id = id;
    this.config = config;
    this.name = config.name;
    this.#running = running;
    this.#registry = registry;
    this.#self = self;
    const events = config.counters.filter((m): m is EventCounter => m.source === "events");
    const histograms = config.histograms.filter((m): m is EventHistogram => m.source === "events");
    this.#events = new EventMetrics(config.name, events, histograms, registry, self);
  }

  /**
   * Opens the package, sets its flags, checks every metric against it, starts it and
   * registers its metrics. All or nothing: on failure nothing stays loaded or registered.
   * Throws ConfigError, the loader's PackageError/GlobalValueError/LoadError/AttachError.
   */
  static async start(id: number, config: ProgramConfig, registry: Registry, self: SelfMetrics): Promise<ExportedProgram> {
    const pkg = await openSource(config.source);
    checkAgainstPackage(config, pkg);
    for (const [name, value] of Object.entries(config.flags)) pkg.setGlobal(name, value);
    const running = pkg.start();
    let program: ExportedProgram | undefined;
    try {
      program = new ExportedProgram(id, config, running, registry, self);
      program.#registerMapMetrics();
      program.#startLoop();
      self.add(program);
      return program;
    } catch (err) {
      if (program) program.#unregister();
      running.close();
      throw err;
    }
  }

  #registerMapMetrics(): void {
    const problems = (metric: string) => ({
      decodeError: () => this.#self.decodeErrors.inc({ program: this.name, metric }),
      seriesDropped: () => this.#self.seriesDropped.inc({ metric }),
    });
    // One BPF_MAP_LOOKUP_BATCH syscall per few thousand entries instead of two per key.
    const live = (name: string): MapSource => {
      const map = this.#running.map(name);
      return { name: map.name, keySize: map.keySize, valueSize: map.valueSize, perCpu: map.perCpu, entries: () => map.entriesBatched(), cpuValues: (v) => map.cpuValues(v) };
    };
    const add = (m: MapCounter | MapHistogram, type: "counter" | "histogram", read: () => ReturnType<typeof readMapCounter>) => {
      checkMapShape(m, live(m.map));
      new CollectedMetric(m.name, m.help, type, () => (this.#stopped ? [] : read())).register(this.#registry);
      this.#mapMetricNames.push(m.name);
    };
    for (const m of this.config.counters) if (m.source === "map") add(m, "counter", () => readMapCounter(m, live(m.map), problems(m.name)));
    for (const m of this.config.histograms) if (m.source === "map") add(m, "histogram", () => readMapHistogram(m, live(m.map), problems(m.name)));
  }

  #startLoop(): void {
    if (!this.#events.wanted) return;
    const iterator = this.#running.events({ signal: this.#abort.signal, batchSize: DRAIN_BATCH, coalesceMs: COALESCE_MS });
    this.#loop = (async () => {
      for await (const event of iterator) {
        this.#events.handle(event);
        this.#handled++;
      }
    })().catch((err: unknown) => {
      if (!this.#stopped) process.stderr.write(`ecli exporter: program ${this.name} stopped reading events: ${(err as Error).message}\n`);
    });
  }

  /** Events handled so far. */
  eventsHandled(): number {
    return this.#handled;
  }

  lost(): bigint | undefined {
    return this.#stopped ? undefined : this.#running.lost;
  }

  runStats(): { program: string; runCount: bigint; runTimeNs: bigint }[] {
    if (this.#stopped || !bpfStatsEnabled()) return [];
    return this.#running.object.programStats().map((s) => ({ program: s.name, runCount: s.runCount, runTimeNs: s.runTimeNs }));
  }

  summary(): ProgramSummary {
    return { id: this.id, name: this.name, metrics: [...this.config.counters, ...this.config.histograms].map((m) => m.name), events: this.#handled };
  }

  #unregister(): void {
    this.#events.remove();
    for (const name of this.#mapMetricNames) this.#registry.removeSingleMetric(name);
  }

  /** Stops reading, detaches and releases everything, removes the metrics. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#self.remove(this);
    this.#abort.abort();
    await this.#loop;
    this.#running.close();
    this.#unregister();
  }
}
