/**
 * One measured run: a generator making N events for one consumer, in one of two modes.
 *
 * - live: the consumer runs while the generator makes events (at full speed or a set
 *   rate); what is not consumed in time is lost when the ring fills.
 * - backlog: the consumer is stopped (SIGSTOP) while the generator fills a ring big enough
 *   for every event, then continued (SIGCONT): its pure draining speed, with no producer
 *   competing for the CPUs and no wake-ups.
 *
 * The end of consumption is when the output file has stopped growing and the consumer's
 * CPU time has stopped rising for `quietMs`; rates and CPU use are taken up to the last
 * activity seen.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { $, type Subprocess } from "bun";
import type { ConsumerContext, ConsumerSpec } from "./consumers.ts";
import { EVENT_KEYS } from "./consumers.ts";
import { mapIds, readLostEvents } from "./lost-counter.ts";
import { sampleProcess, USER_HZ, type ProcSample } from "./proc-stats.ts";

export type TrialMode = "live" | "backlog";

/** What one trial needs. */
export interface TrialOptions {
  /** undefined: the generator alone, with no program attached. */
  consumer: ConsumerSpec | undefined;
  mode: TrialMode;
  events: number;
  /** Events per second the generator paces itself to; 0 = as fast as it can. */
  rate: number;
  genBin: string;
  /** Paths of the object and package for this trial (ring size included). */
  context: Omit<ConsumerContext, "tgid">;
  /** Scratch directory (tmpfs) for the consumer's output. */
  workDir: string;
  quietMs?: number;
  /** Longest a trial may take after the first event, ms. */
  limitMs?: number;
}

/** What one trial measured. */
export interface TrialResult {
  consumer: string;
  mode: TrialMode;
  rate: number;
  sent: number;
  received: number;
  lost: number;
  /** Seconds the generator took for its N events. */
  genSeconds: number;
  /** Seconds from the first event sent (live) or SIGCONT (backlog) to the last output. */
  consumeSeconds: number;
  /** Consumer user+system CPU seconds over the same span. */
  cpuSeconds: number;
  /** Consumer user+system CPU seconds over its whole life (start-up and exit included). */
  totalCpuSeconds: number;
  peakRssKb: number;
  exitCode: number | null;
  /** Problems found (format mismatch, sent != received + lost, ...): empty when clean. */
  problems: string[];
}

const POLL_MS = 10;
// CPU ticks a consumer may gather within the quiet window and still count as idle.
const IDLE_TICKS = 2;
// How long a consumer must idle after attaching before the first event is sent.
const SETTLE_IDLE_MS = 200;

class StreamText {
  text = "";
  #waiters: { pattern: RegExp; resolve: () => void }[] = [];
  constructor(stream: ReadableStream<Uint8Array>) {
    void this.#pump(stream);
  }
  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.text += decoder.decode(chunk, { stream: true });
      this.#waiters = this.#waiters.filter((w) => (w.pattern.test(this.text) ? (w.resolve(), false) : true));
    }
  }
  /** Resolves once `pattern` has appeared. */
  seen(pattern: RegExp): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref());
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function waitFileMatch(path: string, pattern: RegExp, proc: Subprocess): Promise<void> {
  for (;;) {
    if (fileSize(path) > 0 && pattern.test(readFileSync(path, "utf8").slice(0, 4096))) return;
    if (proc.exitCode !== null) throw new Error(`consumer exited (${proc.exitCode}) before attaching`);
    await Bun.sleep(10);
  }
}

/** Stops `proc` (ours) if it still runs: SIGINT, then SIGKILL after `graceMs`. */
async function stop(proc: Subprocess, graceMs: number): Promise<number | null> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGINT");
    const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exited;
      return null;
    }
  }
  return proc.exitCode;
}

/**
 * Waits until the consumer has gone quiet (no output growth, CPU ≤ IDLE_TICKS) for
 * `quietMs` once `producing()` is false; returns the sample at its last activity.
 */
async function waitQuiet(pid: number, outPath: string, producing: () => boolean, quietMs: number, deadline: number): Promise<ProcSample> {
  let anchor = sampleProcess(pid);
  let anchorSize = fileSize(outPath);
  if (!anchor) throw new Error("consumer exited while consuming");
  for (;;) {
    await Bun.sleep(POLL_MS);
    const now = sampleProcess(pid);
    if (!now) throw new Error("consumer exited while consuming");
    const size = fileSize(outPath);
    if (size !== anchorSize || now.cpuTicks - anchor.cpuTicks > IDLE_TICKS) {
      anchor = now;
      anchorSize = size;
    } else {
      anchor.peakRssKb = Math.max(anchor.peakRssKb, now.peakRssKb);
      if (!producing() && now.at - anchor.at >= quietMs) return anchor;
    }
    if (now.at > deadline) throw new Error("consumer still busy at the time limit");
  }
}

/** Waits until `pid` has used at most one clock tick of CPU for `idleMs` (or `limitMs` passed). */
async function waitIdle(pid: number, idleMs: number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  let anchor = sampleProcess(pid);
  while (anchor && performance.now() < deadline) {
    await Bun.sleep(POLL_MS);
    const now = sampleProcess(pid);
    if (!now) return;
    if (now.cpuTicks - anchor.cpuTicks > 1) anchor = now;
    else if (now.at - anchor.at >= idleMs) return;
  }
}

interface Counted { received: number; lostLines: number; firstJson?: string; lastJson?: string }

async function countOutput(path: string): Promise<Counted> {
  const received = Number((await $`grep -c ^{ ${path}`.nothrow().quiet().text()).trim() || "0");
  const lostText = await $`grep -E ^Lost\ [0-9]+\ events ${path}`.nothrow().quiet().text();
  const lostLines = lostText.split("\n").reduce((sum, l) => sum + Number(/^Lost (\d+) events/.exec(l)?.[1] ?? 0), 0);
  const firstJson = (await $`grep -m1 ^{ ${path}`.nothrow().quiet().text()).trim() || undefined;
  const lastJson = (await $`tac ${path} | grep -m1 ^{`.nothrow().quiet().text()).trim() || undefined;
  return { received, lostLines, firstJson, lastJson };
}

/** Checks that a printed line is the bench event as `ecli run -j` prints it. */
export function checkJsonLine(line: string | undefined, tgid: number): string | undefined {
  if (line === undefined) return "no JSON line printed";
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `not JSON: ${line.slice(0, 120)}`;
  }
  const keys = Object.keys(value).join(",");
  if (keys !== EVENT_KEYS.join(",")) return `keys ${keys}, expected ${EVENT_KEYS.join(",")}`;
  if (value.pid !== tgid || value.comm !== "gen" || value.fd !== 4294967295 || value.whence !== 0) {
    return `unexpected values: ${line.slice(0, 160)}`;
  }
  return undefined;
}

function parseGen(text: string): { sent: number; seconds: number } {
  const m = /sent=(\d+) elapsed_ns=(\d+)/.exec(text);
  if (!m) throw new Error(`generator printed no result: ${JSON.stringify(text.slice(0, 200))}`);
  return { sent: Number(m[1]), seconds: Number(m[2]) / 1e9 };
}

/**
 * Runs one trial. Starts only its own processes and ends them by pid.
 * @throws Error when a process does not start, attach or finish in time.
 */
export async function runTrial(opts: TrialOptions): Promise<TrialResult> {
  const quietMs = opts.quietMs ?? 300;
  const limitMs = opts.limitMs ?? 120_000;
  const genArgs = [opts.genBin, String(opts.events), String(opts.rate)];
  if (!opts.consumer) {
    const out = await $`${genArgs} --now`.quiet().text();
    const g = parseGen(out);
    return {
      consumer: "gen-alone", mode: opts.mode, rate: opts.rate, sent: g.sent, received: 0, lost: 0, genSeconds: g.seconds,
      consumeSeconds: 0, cpuSeconds: 0, totalCpuSeconds: 0, peakRssKb: 0, exitCode: 0, problems: [],
    };
  }
  const spec = opts.consumer;
  const gen = Bun.spawn(genArgs, { stdout: "pipe", stderr: "pipe" });
  const genOut = new StreamText(gen.stdout);
  const genErr = new StreamText(gen.stderr);
  const outPath = `${opts.workDir}/${spec.id}-${opts.mode}-${gen.pid}.out`;
  let consumer: Subprocess<"ignore", number, "pipe"> | undefined;
  try {
    await Promise.race([genErr.seen(/gen: ready/), timeout(5000, "generator start")]);
    const ctx: ConsumerContext = { ...opts.context, tgid: gen.pid };
    const mapsBefore = await mapIds();
    const outFd = openSync(outPath, "w");
    try {
      consumer = Bun.spawn(spec.argv(ctx), {
        stdin: "ignore", stdout: outFd, stderr: "pipe",
        env: { ...process.env, ...(spec.env?.(ctx) ?? {}) },
      });
    } finally {
      closeSync(outFd);
    }
    const errText = new StreamText(consumer.stderr);
    const exitedEarly = consumer.exited.then((code) => {
      throw new Error(`${spec.label} exited (${code}) before attaching: ${errText.text.trim().split("\n").pop()}`);
    });
    const attached = spec.ready.source === "stderr" ? errText.seen(spec.ready.pattern) : waitFileMatch(outPath, spec.ready.pattern, consumer);
    await Promise.race([attached, exitedEarly, timeout(30_000, `${spec.label} attach`)]);
    exitedEarly.catch(() => {});
    if (spec.ready.settleMs) await Bun.sleep(spec.ready.settleMs);
    // Start-up work after the attached line (ecli starts its poller Worker on the first wait,
    // the JIT warms up) must not be billed to the events: wait until the consumer idles.
    await waitIdle(consumer.pid, SETTLE_IDLE_MS, 5000);

    const pid = consumer.pid;
    let start: ProcSample | undefined;
    let goAt: number;
    if (opts.mode === "backlog") {
      consumer.kill("SIGSTOP");
      gen.kill("SIGUSR1");
      await Promise.race([gen.exited, timeout(limitMs, "generator")]);
      start = sampleProcess(pid);
      goAt = performance.now();
      consumer.kill("SIGCONT");
    } else {
      start = sampleProcess(pid);
      goAt = performance.now();
      gen.kill("SIGUSR1");
    }
    if (!start) throw new Error(`${spec.label} exited before the first event`);
    const end = await waitQuiet(pid, outPath, () => gen.exitCode === null, quietMs, goAt + limitMs);
    await gen.exited;
    const lostBss = spec.lost === "bss" ? Number(await readLostEvents(mapsBefore)) : 0;
    const beforeExit = sampleProcess(pid);
    const exitCode = await stop(consumer, 15_000);
    const usage = consumer.resourceUsage();
    const g = parseGen(genOut.text);
    const counted = await countOutput(outPath);
    const selfReported = /received=(\d+)/.exec(errText.text);
    const received = spec.received === "lines" ? counted.received : Number(selfReported?.[1] ?? NaN);
    // bpftrace reports a lost sample only when a later one finds room, so a final overflow goes unreported.
    const lost = spec.lost === "bss" ? lostBss : g.sent - received;

    const problems: string[] = [];
    if (exitCode !== 0) problems.push(`exit code ${exitCode}: ${errText.text.trim().split("\n").pop()}`);
    if (spec.lost === "bpftrace" && counted.lostLines > lost) problems.push(`bpftrace reports ${counted.lostLines} lost, more than the ${lost} not received`);
    if (received + lost !== g.sent) problems.push(`sent ${g.sent} != received ${received} + lost ${lost}`);
    if (spec.printsJson) {
      for (const line of [counted.firstJson, counted.lastJson]) {
        const bad = checkJsonLine(line, gen.pid);
        if (bad) problems.push(bad);
      }
    }
    const lostSelf = /(\d+) events lost/.exec(errText.text) ?? /lost=(\d+)/.exec(errText.text);
    if (lostSelf && spec.lost === "bss" && Number(lostSelf[1]) !== lost) problems.push(`consumer reports ${lostSelf[1]} lost, the kernel counter ${lost}`);
    if (selfReported && spec.received === "lines" && Number(selfReported[1]) !== received) {
      problems.push(`consumer says it received ${selfReported[1]}, printed ${received}`);
    }
    return {
      consumer: spec.id, mode: opts.mode, rate: opts.rate, sent: g.sent, received, lost, genSeconds: g.seconds,
      consumeSeconds: (end.at - goAt) / 1000,
      cpuSeconds: (end.cpuTicks - start.cpuTicks) / USER_HZ,
      totalCpuSeconds: usage ? (Number(usage.cpuTime.user) + Number(usage.cpuTime.system)) / 1e6 : NaN,
      peakRssKb: Math.max(end.peakRssKb, beforeExit?.peakRssKb ?? 0),
      exitCode, problems,
    };
  } finally {
    if (consumer) {
      if (consumer.signalCode === null && consumer.exitCode === null) consumer.kill("SIGCONT");
      await stop(consumer, 5000);
    }
    await stop(gen, 1000);
    rmSync(outPath, { force: true });
  }
}
