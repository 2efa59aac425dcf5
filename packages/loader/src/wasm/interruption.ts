/**
 * Waits of a module's host calls, and how Ctrl-C reaches them. With JSPI (WebAssembly
 * stack switching) a wait suspends the module and the event loop runs on: signal
 * listeners, timers, other work; the run's AbortSignal ends the wait. Where a wait must
 * block (inside a module's callback, or without JSPI), it sleeps in poll(2), which a
 * signal interrupts (EINTR). Once stopping, every later wait returns at once.
 */
import { Errno } from "../errno.ts";
import { lastErrno, libc } from "../ffi/libc.ts";
import { WasmExit } from "./errors.ts";

const POLLIN = 0x1;
const { EINTR } = Errno;
/**
 * How long a module may keep calling after it was told to stop. Many modules (the
 * original wasm-bpf's opensnoop, for one) poll on through -EINTR; past this, the next
 * wait unwinds the module as if it had exited 0.
 */
export const STOP_GRACE_MS = 100;

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

  /**
   * Waits without blocking the thread: until `ready` resolves true (an fd became
   * readable), `timeoutMs` passes, or the run is asked to stop.
   */
  async waitAsync(ready: Promise<boolean> | undefined, timeoutMs: number): Promise<WaitResult> {
    if (this.requested) return this.#tell();
    const limit = Math.max(0, Math.min(timeoutMs < 0 ? Infinity : timeoutMs, this.#deadline - performance.now()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const result = await Promise.race<WaitResult>([
      ...(ready ? [ready.then((r): WaitResult => (r ? "ready" : "timeout"))] : []),
      new Promise<WaitResult>((resolve) => {
        if (limit !== Infinity) timer = setTimeout(() => resolve("timeout"), limit);
      }),
      new Promise<WaitResult>((resolve) => {
        onAbort = () => resolve("interrupted");
        this.#signal?.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) this.#signal?.removeEventListener("abort", onAbort);
    return this.requested ? this.#tell() : result;
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
