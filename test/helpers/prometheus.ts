/**
 * Runs Debian's real Prometheus for end-to-end tests: on a loopback port, scraping the
 * given targets every second, with its TSDB in a temporary directory; queried through
 * its HTTP API (/api/v1/targets, /api/v1/query).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const PROMETHEUS = "/usr/bin/prometheus";
export const PROMTOOL = "/usr/bin/promtool";

/** A loopback port nobody listens on right now. */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** One sample of an instant query: its labels and value. */
export interface Sample { metric: Record<string, string>; value: number }

export class Prometheus {
  readonly url: string;
  readonly #proc: Subprocess<"ignore", "ignore", "pipe">;
  readonly #dir: string;

  private constructor(proc: Subprocess<"ignore", "ignore", "pipe">, port: number, dir: string) {
    this.#proc = proc;
    this.url = `http://127.0.0.1:${port}`;
    this.#dir = dir;
  }

  /** Starts Prometheus scraping `targets` ("127.0.0.1:PORT") every second; resolves when its API answers. */
  static async start(targets: string[]): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), "ecli-prometheus-"));
    const port = freePort();
    const config = [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      "  - job_name: ecli",
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    ].join("\n");
    writeFileSync(join(dir, "prometheus.yml"), config);
    const proc = Bun.spawn([PROMETHEUS, `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    const prometheus = new Prometheus(proc, port, dir);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
      const ready = await fetch(`${prometheus.url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) return prometheus;
      if (Date.now() > deadline) {
        await prometheus.stop();
        throw new Error("prometheus did not become ready in 20 s");
      }
      await Bun.sleep(100);
    }
  }

  async #api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  }

  /** Waits until every target has been scraped successfully (health "up"). */
  async waitForTargetsUp(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = await this.#api<{ activeTargets: { health: string; lastError: string; scrapeUrl: string }[] }>("/api/v1/targets");
      if (data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === "up")) return;
      if (Date.now() > deadline) throw new Error(`targets not up: ${JSON.stringify(data.activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`);
      await Bun.sleep(200);
    }
  }

  /** An instant query's vector. */
  async query(promql: string): Promise<Sample[]> {
    const data = await this.#api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Polls `promql` until `accept` likes its samples (scrapes come once a second); returns the last answer. */
  async queryUntil(promql: string, accept: (samples: Sample[]) => boolean, timeoutMs = 10_000): Promise<Sample[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const samples = await this.query(promql);
      if (accept(samples) || Date.now() > deadline) return samples;
      await Bun.sleep(250);
    }
  }

  /** Stops Prometheus (by its pid) and removes its data. */
  async stop(): Promise<void> {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) this.#proc.kill("SIGTERM");
    await this.#proc.exited;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Runs `promtool check metrics` on an exposition; returns its exit code and complaints. */
export async function promtoolCheck(exposition: string): Promise<{ code: number; problems: string[] }> {
  const proc = Bun.spawn([PROMTOOL, "check", "metrics"], { stdin: new Blob([exposition]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, problems: `${out}${err}`.split("\n").filter(Boolean) };
}
