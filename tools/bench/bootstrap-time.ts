/**
 * Bootstrap time: from process start to every program attached, seen from outside (spawn
 * to the "N programs attached X ms after start" line on stderr) and as the loader reports
 * it itself. ecli prints that line with -v; the C consumer always prints it.
 */
import { sampleProcess } from "./proc-stats.ts";

/** One timed start. */
export interface AttachTiming {
  /** Spawn to the attached line read from the child's stderr, ms. */
  externalMs: number;
  /** What the loader printed ("X ms after start"), ms. */
  selfMs: number;
  programs: number;
}

const ATTACHED = /(\d+) programs attached ([\d.]+) ms after start/;

/** Parses the attached line; undefined when `text` has none. */
export function parseAttached(text: string): { programs: number; ms: number } | undefined {
  const m = ATTACHED.exec(text);
  return m ? { programs: Number(m[1]), ms: Number(m[2]) } : undefined;
}

/**
 * Starts `argv`, waits for its attached line, then ends it (SIGINT) unless it exits by
 * itself, and waits for the exit. Only the process started here is signalled.
 * @throws Error when it exits or stays silent for 20 s without attaching.
 */
export async function timeAttach(argv: string[]): Promise<AttachTiming> {
  const t0 = performance.now();
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const decoder = new TextDecoder();
  let text = "";
  let externalMs = NaN;
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  try {
    for await (const chunk of proc.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (ATTACHED.test(text)) {
        externalMs = performance.now() - t0;
        break;
      }
    }
    if (Number.isNaN(externalMs)) throw new Error(`${argv.join(" ")} did not attach: ${text.trim().split("\n").pop()}`);
    proc.kill("SIGINT");
    await proc.exited;
  } finally {
    clearTimeout(deadline);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  const parsed = parseAttached(text)!;
  return { externalMs, selfMs: parsed.ms, programs: parsed.programs };
}

/** Milliseconds from spawn to exit of `argv` (the runtime's floor, e.g. `ecli help`). */
export async function timeStartExit(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  await proc.exited;
  return performance.now() - t0;
}

/** Resident memory of a running `ecli run` while `activity` runs, then SIGINT. */
export async function residentDuring(argv: string[], activity: () => Promise<void>, settleMs = 1000): Promise<{ rssKb: number; peakRssKb: number; lines: number }> {
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const decoder = new TextDecoder();
  let err = "";
  let out = "";
  const readOut = (async () => {
    for await (const chunk of proc.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  try {
    for await (const chunk of proc.stderr) {
      err += decoder.decode(chunk, { stream: true });
      if (ATTACHED.test(err)) break;
    }
    if (!ATTACHED.test(err)) throw new Error(`${argv.join(" ")} did not attach: ${err.trim().split("\n").pop()}`);
    await activity();
    await Bun.sleep(settleMs);
    const s = sampleProcess(proc.pid);
    if (!s) throw new Error(`${argv.join(" ")} exited early`);
    proc.kill("SIGINT");
    await proc.exited;
    await readOut;
    return { rssKb: s.rssKb, peakRssKb: s.peakRssKb, lines: out.split("\n").filter((l) => l.startsWith("{")).length };
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
}
