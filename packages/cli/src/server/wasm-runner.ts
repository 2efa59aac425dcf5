/**
 * Runs a WebAssembly module (wasm-bpf) as a server task, in the server's own thread:
 * the module is suspended while it waits for events or sleeps (JSPI), so other tasks and
 * requests go on meanwhile. What it writes to stdout and stderr becomes the task's log,
 * line by line; stop aborts its run, so its next wait returns -EINTR and every object it
 * loaded is closed when it ends (or is unwound, if it keeps waiting).
 */
import { runWasmModule, WasmError } from "@eunomia/loader";
import { ApiError } from "./api-error.ts";
import { OutputLines } from "./output-lines.ts";
import type { RunnerSink, RunnerStats, TaskRunner } from "./task-runner.ts";
import type { WasmPlan } from "./wasm-plan.ts";

const NOT_PAUSABLE = "a task running a WebAssembly module cannot be paused (its programs are its own): stop it or update it instead";

/**
 * A module task. `events` and `lost` stay 0: the module reads its buffers itself.
 * pause() and resume() answer 409.
 */
export class WasmRunner implements TaskRunner {
  readonly stats: RunnerStats = { events: 0, lost: 0 };
  readonly #plan: WasmPlan;
  readonly #sink: RunnerSink;
  readonly #abort = new AbortController();
  #released: Promise<void> = Promise.resolve();
  #started = false;

  constructor(plan: WasmPlan, sink: RunnerSink) {
    this.#plan = plan;
    this.#sink = sink;
  }

  get released(): Promise<void> {
    return this.#released;
  }

  /**
   * Runs the module up to its first wait (it loads and attaches its programs meanwhile).
   * Its failures come later, through the sink: the task fails, nothing else does.
   */
  start(paused: boolean): void {
    if (paused) throw new ApiError(409, "a paused task cannot be updated to a WebAssembly module (a module cannot start paused): resume the task first");
    if (this.#started) return;
    this.#started = true;
    const stdout = new OutputLines((lines) => this.#sink.lines(lines));
    const stderr = new OutputLines((lines) => this.#sink.lines(lines));
    const flush = () => {
      stdout.flush();
      stderr.flush();
    };
    const run = runWasmModule(this.#plan.bytes, {
      args: this.#plan.args,
      env: {},
      stdout: (bytes) => stdout.write(bytes),
      stderr: (bytes) => stderr.write(bytes),
      signal: this.#abort.signal,
      // As `ecli run` shows them on stderr: in the log, and as the task's last warning.
      warn: (line) => {
        this.#sink.lines([`ecli: wasm: ${line}`]);
        this.#sink.warning(line);
      },
    });
    this.#released = run.then(
      (code) => {
        flush();
        this.#ended(code);
      },
      (error: unknown) => {
        flush();
        if (!this.#abort.signal.aborted) this.#sink.failed(error instanceof Error ? error : new WasmError(String(error)));
      },
    );
  }

  pause(): void {
    throw new ApiError(409, NOT_PAUSABLE);
  }

  resume(): void {
    throw new ApiError(409, NOT_PAUSABLE);
  }

  /** Asks the module to end: its next wait returns -EINTR (see `released`). Idempotent. */
  stop(): void {
    this.#abort.abort();
  }

  /** The module returned (or called exit) without being asked to stop, or after. */
  #ended(code: number): void {
    if (this.#abort.signal.aborted) return;
    if (code === 0) this.#sink.ended();
    else this.#sink.failed(new WasmError(`the module exited with code ${code}`));
  }
}
