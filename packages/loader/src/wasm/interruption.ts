/**
 * Blocking waits for a module's synchronous host calls, and how Ctrl-C reaches them.
 * A WebAssembly call cannot yield to the event loop, so JS signal handlers do not run
 * while a module waits; but a signal arriving then interrupts the poll(2) it sleeps in
 * (EINTR). From that moment the run is "stopping": every later wait returns at once.
 */
import { lastErrno, libc } from "../ffi/libc.ts";
import { WasmExit } from "./errors.ts";

const POLLIN = 0x1;
const EINTR = 4;
/**
 * How long a module may keep calling after it was told to stop. Many modules (the
 * original wasm-bpf's opensnoop, for one) poll on through -EINTR; past this, the next
 * wait unwinds the module as if it had exited 0.
 */
export const STOP_GRACE_MS = 500;

/** What a wait ended with. */
export type WaitResult = "ready" | "timeout" | "interrupted";

/** The stop state of one module run: an AbortSignal, or a signal that interrupted a wait. */
export class Interruption {
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: number;
  #interrupted = false;
  // When a wait first reported the stop to the module.
  #toldAt: number | undefined;

  /** `durationMs`: the run also stops once this much time has passed (timers cannot fire during a module's call). */
  constructor(signal?: AbortSignal, durationMs?: number) {
    this.#signal = signal;
    this.#deadline = durationMs === undefined ? Infinity : performance.now() + durationMs;
  }

  /** True once the run should stop (the signal aborted, a wait was interrupted, or the duration passed). */
  get requested(): boolean {
    return this.#interrupted || this.#signal?.aborted === true || performance.now() >= this.#deadline;
  }

  /** Asks the run to stop (e.g. its output pipe closed): the next wait returns "interrupted". */
  stop(): void {
    this.#interrupted = true;
  }

  /** Blocks until `fd` is readable, `timeoutMs` passes (negative: no limit), or a signal arrives. */
  waitFd(fd: number, timeoutMs: number): WaitResult {
    if (this.requested) return this.#tell();
    const pollfd = new Int32Array([fd, POLLIN]);
    return this.#poll(pollfd, 1, timeoutMs);
  }

  /** Sleeps `timeoutMs` (capped to an int32) unless a signal arrives; false when interrupted. */
  sleep(timeoutMs: number): boolean {
    if (this.requested) return this.#tell() !== "interrupted";
    return this.#poll(null, 0, timeoutMs) !== "interrupted";
  }

  /** Reports the stop; a module still waiting STOP_GRACE_MS later is unwound (exit 0). */
  #tell(): WaitResult {
    const now = performance.now();
    this.#toldAt ??= now;
    if (now - this.#toldAt > STOP_GRACE_MS) throw new WasmExit(0);
    return "interrupted";
  }

  #poll(fds: Int32Array | null, count: number, timeoutMs: number): WaitResult {
    const untilDeadline = this.#deadline - performance.now();
    const limit = timeoutMs < 0 ? untilDeadline : Math.min(timeoutMs, untilDeadline);
    const ms = limit === Infinity ? -1 : Math.max(0, Math.min(Math.ceil(limit), 0x7fffffff));
    const rc = libc().poll(fds, count, ms);
    if (rc < 0) {
      if (lastErrno() === EINTR) this.#interrupted = true;
      return this.#tell();
    }
    if (this.requested) return this.#tell();
    return rc > 0 ? "ready" : "timeout";
  }
}
