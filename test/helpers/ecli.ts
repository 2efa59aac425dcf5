/**
 * Runs the real `ecli` for end-to-end tests: dist/ecli when it has been built
 * (tools/test-all.sh always builds it first), otherwise the CLI's source through Bun.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = resolve(import.meta.dir, "../..");
const BINARY = join(ROOT, "dist/ecli");
const BUN = join(ROOT, "node_modules/.bin/bun");

/** The argv prefix that invokes ecli. */
export function ecliCommand(): string[] {
  if (process.env.ECLI_BIN) return [process.env.ECLI_BIN];
  return existsSync(BINARY) ? [BINARY] : [BUN, join(ROOT, "packages/cli/src/main.ts")];
}

export interface Finished { code: number; stdout: string; stderr: string }

/** How to run ecli: under a `prefix` command, or as another `command` (e.g. a copy of the binary), from `cwd`. */
export interface EcliLaunch { prefix?: string[]; command?: string[]; cwd?: string; stdin?: Uint8Array }

function spawnEcli(args: string[], opts: EcliLaunch) {
  return Bun.spawn([...(opts.prefix ?? []), ...(opts.command ?? ecliCommand()), ...args], {
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin ? new Blob([opts.stdin as Uint8Array<ArrayBuffer>]) : "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** Runs ecli to completion. */
export async function ecli(args: string[], opts: EcliLaunch = {}): Promise<Finished> {
  const proc = spawnEcli(args, opts);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** A running `ecli run`, started with -v so it says when its programs are attached. */
export class RunningEcli {
  private stderrText = "";
  private readonly stdoutText: Promise<string>;
  private readonly stderrDone: Promise<void>;

  private constructor(readonly proc: Subprocess<"ignore" | Blob, "pipe", "pipe">) {
    this.stdoutText = new Response(proc.stdout).text();
    this.stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) this.stderrText += decoder.decode(chunk, { stream: true });
    })();
  }

  /**
   * Starts `ecli run -v <args>` and resolves once every program is attached. `prefix`
   * runs it under another command, e.g. `ip netns exec NS` (which execs ecli itself).
   */
  static async start(args: string[], opts: EcliLaunch & { timeoutMs?: number } = {}): Promise<RunningEcli> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const proc = spawnEcli(["run", "-v", ...args], opts);
    const running = new RunningEcli(proc);
    const deadline = Date.now() + timeoutMs;
    while (!/programs attached/.test(running.stderrText)) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        await running.stderrDone;
        throw new Error(`ecli did not attach (exit ${proc.exitCode}): ${running.stderrText}`);
      }
      await Bun.sleep(20);
    }
    return running;
  }

  /** Ends the run if a test failed before stopping it. */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGINT");
  }

  /** Sends `signal` and waits for the process to end. */
  async stop(signal: "SIGINT" | "SIGTERM" = "SIGINT"): Promise<Finished> {
    this.proc.kill(signal);
    const code = await this.proc.exited;
    await this.stderrDone;
    return { code, stdout: await this.stdoutText, stderr: this.stderrText };
  }
}
