/**
 * Blocking waits for a module's synchronous host calls, and how Ctrl-C reaches them.
 * A WebAssembly call cannot yield to the event loop, so JS signal handlers do not run
 * while a module waits; but a signal arriving then interrupts the poll(2) it sleeps in
 * (EINTR). From that moment the run is "stopping": every later wait returns at once.
 */
import { lastErrno, libc } from "../ffi/libc.ts";

const POLLIN = 0x1;
const EINTR = 4;

/** What a wait ended with. */
export type WaitResult = "ready" | "timeout" | "interrupted";

/** The stop state of one module run: an AbortSignal, or a signal that interrupted a wait. */
export class Interruption {
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: number;
  #interrupted = false;

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
    if (this.requested) return "interrupted";
    const pollfd = new Int32Array([fd, POLLIN]);
    return this.#poll(pollfd, 1, timeoutMs);
  }

  /** Sleeps `timeoutMs` (capped to an int32) unless a signal arrives; false when interrupted. */
  sleep(timeoutMs: number): boolean {
    if (this.requested) return false;
    return this.#poll(null, 0, timeoutMs) !== "interrupted";
  }

  #poll(fds: Int32Array | null, count: number, timeoutMs: number): WaitResult {
    const untilDeadline = this.#deadline - performance.now();
    const limit = timeoutMs < 0 ? untilDeadline : Math.min(timeoutMs, untilDeadline);
    const ms = limit === Infinity ? -1 : Math.max(0, Math.min(Math.ceil(limit), 0x7fffffff));
    const rc = libc().poll(fds, count, ms);
    if (rc < 0) {
      if (lastErrno() === EINTR) this.#interrupted = true;
      return "interrupted";
    }
    if (this.requested) return "interrupted";
    return rc > 0 ? "ready" : "timeout";
  }
}
