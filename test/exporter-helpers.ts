/**
 * Shared by the exporter's end-to-end tests: builds the two exporter examples into a
 * temporary directory, and runs `ecli exporter` until it says it is serving.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ecli, ecliCommand, ROOT, type Finished } from "./helpers/ecli.ts";

/** Builds examples/<name> into `dir`/<name>; returns the package.json path. */
export async function buildExample(name: string, sources: string[], dir: string): Promise<string> {
  const out = join(dir, name);
  const built = await ecli(["build", ...sources.map((s) => join(ROOT, "examples", name, s)), "-o", out]);
  if (built.code !== 0) throw new Error(`ecli build ${name} failed: ${built.stderr}`);
  return join(out, "package.json");
}

/** A running `ecli exporter`. */
export class RunningExporter {
  #stderr = "";
  readonly #stdout: Promise<string>;
  readonly #stderrDone: Promise<void>;

  private constructor(readonly proc: Subprocess<"ignore", "pipe", "pipe">, readonly url: string) {
    this.#stdout = new Response(proc.stdout).text();
    this.#stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) this.#stderr += decoder.decode(chunk, { stream: true });
    })();
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Starts `ecli exporter -c config --listen 127.0.0.1:port`; resolves once it serves. */
  static async start(config: string, port: number, extra: string[] = []): Promise<RunningExporter> {
    const proc = Bun.spawn([...ecliCommand(), "exporter", "-c", config, "--listen", `127.0.0.1:${port}`, ...extra], {
      cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
    });
    const running = new RunningExporter(proc, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 20_000;
    while (!running.#stderr.includes("serving http://")) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        await running.#stderrDone;
        throw new Error(`ecli exporter did not start (exit ${proc.exitCode}): ${running.#stderr}`);
      }
      await Bun.sleep(20);
    }
    return running;
  }

  /** The current /metrics text. */
  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** Sends `signal` (by pid) and waits for the exit. */
  async stop(signal: "SIGINT" | "SIGTERM" = "SIGINT"): Promise<Finished> {
    if (this.proc.exitCode === null) this.proc.kill(signal);
    const code = await this.proc.exited;
    await this.#stderrDone;
    return { code, stdout: await this.#stdout, stderr: this.#stderr };
  }
}

/** The value of the sample `name{labels}` in an exposition, or undefined. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = line.slice(name.length).match(/^\{(.*)\} (\S+)$/) ?? line.slice(name.length).match(/^()\s(\S+)$/);
    if (!body) continue;
    const parts = body[1] ? body[1].split(/,(?=[a-zA-Z_]+=")/) : [];
    if (wanted.every((w) => parts.includes(w)) && parts.length === wanted.length) return Number(body[2]);
  }
  return undefined;
}
