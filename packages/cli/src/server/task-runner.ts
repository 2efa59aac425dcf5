/**
 * What the server runs: a task kind is anything that can start, stop, pause and resume
 * and writes its output as lines. Packages (package-runner.ts) and WebAssembly modules
 * (wasm-runner.ts) plug in behind the same interface, chosen by the upload's content.
 */
import type { OutputMode } from "../event-output.ts";

/** Where a runner sends what it produces. */
export interface RunnerSink {
  /** Output lines, without "\n", formatted as `ecli run` (or `ecli run -j`) prints them. */
  lines(lines: string[]): void;
  /** Something the runner wants its user to know (e.g. a sampled map that stopped). */
  warning(line: string): void;
  /** The runner failed while running (its resources are already released). */
  failed(error: unknown): void;
  /** The runner ended by itself, successfully (a module that returned 0 from main). */
  ended(): void;
}

/** Counters a runner keeps. */
export interface RunnerStats {
  /** Records read from the kernel. */
  events: number;
  /** Events the kernel side lost (perf lost samples, a ring buffer's lost counter). */
  lost: number;
}

/**
 * One running unit of work. Methods are synchronous, so the server can order them
 * (an update attaches the new runner before the old one stops).
 */
export interface TaskRunner {
  /** Loads and, unless `paused`, attaches. All or nothing: throws with nothing left behind. */
  start(paused: boolean): void;
  /** Stops producing output (detaches); what is already produced is kept. */
  pause(): void;
  /** Produces output again after pause(). */
  resume(): void;
  /** Reads out what is left, then releases everything (or begins to: see `released`). Idempotent. */
  stop(): void;
  /**
   * For runners whose release finishes after stop() returns (a WebAssembly module ends at
   * its next wait and then closes its objects): resolves once everything is released.
   */
  readonly released?: Promise<void>;
  readonly stats: RunnerStats;
}

/** What a start or update request asks for, besides the package bytes. */
export interface TaskRequest {
  name: string;
  mode: OutputMode;
  /** Program flags, as after the package on `ecli run`'s command line. */
  args: string[];
  /** Attach options, as before the package on `ecli run`'s command line (--iface, --pid, ...). */
  attachArgs: string[];
}

/** Makes runners of one kind from validated uploads. */
export type RunnerFactory = (sink: RunnerSink) => TaskRunner;
