/**
 * Waits for one of several file descriptors to become readable without blocking the
 * JS thread: an epoll set (the fds plus an eventfd used to wake the worker on close) is
 * watched by a Worker that blocks in epoll_wait and flips a shared state word. The
 * worker polls again only once the main thread re-arms it, i.e. after it has drained.
 */
import { LibbpfError } from "../errors.ts";
import { lastErrno, libc } from "./libc.ts";
import { POLLER_WORKER_SOURCE } from "./poller-worker-source.ts";
import { ARMED, CLOSING, EPOLL_FD, ERROR, EXITED, IDLE, READY, SLOTS, STATE } from "./poller-protocol.ts";

const EPOLL_CLOEXEC = 0x80000;
const EFD_CLOEXEC = 0x80000;
const EFD_NONBLOCK = 0x800;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x1;
// How long close() waits for the worker to leave epoll_wait before closing the fds.
const CLOSE_GRACE_MS = 2000;

let workerUrl: string | undefined;

function check(op: string, rc: number): number {
  if (rc < 0) throw new LibbpfError(op, lastErrno() || 5);
  return rc;
}

/** Readiness of a set of fds, awaited without blocking. Disposable; `close()` is idempotent. */
export class FdPoller implements Disposable {
  readonly #ctl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  #epfd = -1;
  #wakeFd = -1;
  #worker: Worker | undefined;
  #closed = false;
  // Resolver of the wait() in progress, called when the worker posts a state change.
  #wake: (() => void) | undefined;

  /**
   * Watches `fds` (one fd or several, e.g. one perf event per CPU) for EPOLLIN; the
   * fds stay owned by the caller. Throws {@link LibbpfError} if the epoll set cannot be built.
   */
  constructor(fds: number | readonly number[]) {
    const c = libc();
    try {
      this.#epfd = check("epoll_create1", c.epoll_create1(EPOLL_CLOEXEC));
      this.#wakeFd = check("eventfd", c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
      // struct epoll_event { u32 events; u64 data } (packed on x86-64); data is unused.
      const event = new Uint8Array(16);
      new DataView(event.buffer).setUint32(0, EPOLLIN, true);
      for (const fd of typeof fds === "number" ? [fds] : fds) {
        check(`epoll_ctl add fd ${fd}`, c.epoll_ctl(this.#epfd, EPOLL_CTL_ADD, fd, event));
      }
      check("epoll_ctl add eventfd", c.epoll_ctl(this.#epfd, EPOLL_CTL_ADD, this.#wakeFd, event));
    } catch (error) {
      this.#closeFds();
      throw error;
    }
    this.#ctl[EPOLL_FD] = this.#epfd;
  }

  /**
   * Resolves true once an fd is readable, false after `timeoutMs` (negative or
   * Infinity: no limit) or when close() ends the wait. Throws {@link LibbpfError} if
   * the poller was already closed or epoll failed.
   */
  async wait(timeoutMs: number): Promise<boolean> {
    const ctl = this.#ctl;
    this.#ensureWorker();
    let state = Atomics.load(ctl, STATE);
    if (state === READY) return this.#consumeReady();
    if (state === IDLE) {
      Atomics.store(ctl, STATE, ARMED);
      Atomics.notify(ctl, STATE);
      state = ARMED;
    }
    if (state !== ARMED) return this.#failed();
    const limit = timeoutMs < 0 || !Number.isFinite(timeoutMs) ? undefined : timeoutMs;
    await this.#stateChange(limit);
    if (this.#closed) return false; // closed while waiting: nothing more will come
    state = Atomics.load(ctl, STATE);
    if (state === READY) return this.#consumeReady();
    if (state === ARMED) return false;
    return this.#failed();
  }

  /** Resolves when the worker reports a change of state, after `limitMs`, or on close. */
  #stateChange(limitMs: number | undefined): Promise<void> {
    if (Atomics.load(this.#ctl, STATE) !== ARMED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = limitMs === undefined ? undefined : setTimeout(done, limitMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  #consumeReady(): boolean {
    Atomics.compareExchange(this.#ctl, STATE, READY, IDLE);
    return true;
  }

  #failed(): never {
    const errno = Atomics.load(this.#ctl, ERROR);
    if (this.#closed) throw new LibbpfError("poll", 9, { detail: "the poller is closed" });
    throw new LibbpfError("epoll_wait", errno || 5);
  }

  #ensureWorker(): void {
    if (this.#closed) this.#failed();
    if (this.#worker) return;
    workerUrl ??= URL.createObjectURL(new Blob([POLLER_WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(workerUrl);
    worker.addEventListener("error", () => {
      // The worker could not start or crashed: report it to whoever waits.
      Atomics.store(this.#ctl, ERROR, 5);
      Atomics.store(this.#ctl, STATE, EXITED);
      Atomics.notify(this.#ctl, STATE);
      this.#wake?.();
    });
    worker.addEventListener("message", () => this.#wake?.());
    worker.unref();
    worker.postMessage(this.#ctl);
    this.#worker = worker;
  }

  /** Stops the worker, then closes the epoll set. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.(); // a wait() in progress resolves false
    const ctl = this.#ctl;
    if (this.#worker) {
      if (Atomics.load(ctl, STATE) !== EXITED) {
        Atomics.store(ctl, STATE, CLOSING);
        Atomics.notify(ctl, STATE);
        libc().write(this.#wakeFd, new BigUint64Array([1n]), 8);
        const deadline = performance.now() + CLOSE_GRACE_MS;
        // Block briefly: the fds must not be closed (and reused) while epoll_wait uses them.
        while (Atomics.load(ctl, STATE) !== EXITED && performance.now() < deadline) {
          Atomics.wait(ctl, STATE, CLOSING, 50);
        }
      }
      this.#worker.terminate();
      this.#worker = undefined;
    }
    this.#closeFds();
  }

  #closeFds(): void {
    if (this.#epfd >= 0) libc().close(this.#epfd);
    if (this.#wakeFd >= 0) libc().close(this.#wakeFd);
    this.#epfd = this.#wakeFd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
