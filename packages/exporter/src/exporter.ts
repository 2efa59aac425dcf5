/**
 * The exporter: one prom-client Registry, the programs feeding it, and the program API
 * (start from a config entry, stop by id, list).
 */
import { Registry } from "prom-client";
import { ConfigError } from "./config/config-error.ts";
import type { ExporterConfig, ProgramConfig } from "./config/config-types.ts";
import { checkUniqueMetrics } from "./config/read-config.ts";
import { ExportedProgram, type ProgramSummary } from "./exported-program.ts";
import { SelfMetrics } from "./metrics/self-metrics.ts";

/**
 * Holds running programs and their metrics. Disposable: close() stops every program.
 *
 * @example
 * await using exporter = new Exporter();
 * await exporter.startAll(readConfig(text, "config.yaml"));
 * console.log(await exporter.metrics());
 */
export class Exporter implements AsyncDisposable {
  readonly registry = new Registry();
  readonly self = new SelfMetrics(this.registry);
  readonly #programs = new Map<number, ExportedProgram>();
  #nextId = 1;
  // Starts run one at a time so two cannot both claim a metric name.
  #queue: Promise<unknown> = Promise.resolve();

  /** Starts every program of a config, in order; on failure the ones started are stopped. */
  async startAll(config: ExporterConfig): Promise<void> {
    try {
      for (const program of config.programs) await this.start(program);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /**
   * Starts one program; returns its id. Throws ConfigError (a metric name in use, a field
   * or map the package lacks) or the loader's errors; nothing stays loaded on failure.
   */
  start(config: ProgramConfig): Promise<number> {
    const run = this.#queue.then(async () => {
      const taken = new Map<string, string>();
      for (const p of this.#programs.values()) checkUniqueMetrics(p.config, taken);
      for (const p of this.#programs.values()) {
        if (p.name === config.name) throw new ConfigError(`${config.at}: a program named ${JSON.stringify(config.name)} is already running (id ${p.id})`);
      }
      checkUniqueMetrics(config, taken);
      const id = this.#nextId++;
      this.#programs.set(id, await ExportedProgram.start(id, config, this.registry, this.self));
      return id;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stops program `id`; false when there is none. */
  async stop(id: number): Promise<boolean> {
    const program = this.#programs.get(id);
    if (!program) return false;
    this.#programs.delete(id);
    await program.stop();
    return true;
  }

  /** The running programs. */
  list(): ProgramSummary[] {
    return [...this.#programs.values()].map((p) => p.summary());
  }

  /** The Prometheus text exposition of every metric, the scrape timed in a self-metric. */
  async metrics(): Promise<string> {
    const end = this.self.scrapeDuration.startTimer();
    try {
      return await this.registry.metrics();
    } finally {
      end();
    }
  }

  /** Stops every program. Idempotent. */
  async close(): Promise<void> {
    const programs = [...this.#programs.values()];
    this.#programs.clear();
    await Promise.all(programs.map((p) => p.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
