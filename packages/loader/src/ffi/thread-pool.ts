/**
 * A small pool of threads that each run one blocking job at a time, so several blocking
 * jobs overlap and the JS thread stays free. Pure scheduling (no FFI): the threads are
 * made by a factory, which link-destroyer.ts backs with Bun Workers.
 */

/** A thread that runs one job at a time. */
export interface JobThread<J> {
  /** Runs `job`; resolves when it is done, rejects if the thread failed (then `alive` is false). */
  run(job: J): Promise<void>;
  /** False once the thread has died: the pool forgets it. */
  readonly alive: boolean;
  /** Ends an idle thread. */
  end(): void;
}

/** Limits of a {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Threads at most, made on demand. */
  maxThreads: number;
  /**
   * Jobs that may wait for a busy thread; beyond that a job runs inline through the
   * fallback (blocking the caller), which slows a caller that submits faster than the
   * threads keep up.
   */
  maxQueued: number;
  /** An idle thread ends after this long (ms). */
  idleMs: number;
}

interface Queued<J> {
  job: J;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Idle<J> {
  thread: JobThread<J>;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Runs submitted jobs on at most `maxThreads` threads, made on demand and kept a while
 * for the next jobs. A job runs inline through `fallback` when no thread can be made at
 * all, or when `maxQueued` jobs already wait.
 *
 * @example
 * const pool = new ThreadPool(() => new MyThread(), (job) => runHere(job), { maxThreads: 4, maxQueued: 8, idleMs: 10_000 });
 * await Promise.all(jobs.map((j) => pool.submit(j)));
 */
export class ThreadPool<J> {
  readonly #spawn: () => JobThread<J>;
  readonly #fallback: (job: J) => void;
  readonly #options: ThreadPoolOptions;
  readonly #idle: Idle<J>[] = [];
  readonly #queue: Queued<J>[] = [];
  #threads = 0;

  constructor(spawn: () => JobThread<J>, fallback: (job: J) => void, options: ThreadPoolOptions) {
    for (const [name, value] of Object.entries(options)) {
      const least = name === "maxThreads" ? 1 : 0;
      if (!Number.isInteger(value) || value < least) throw new RangeError(`${name} must be an integer of at least ${least}, not ${value}`);
    }
    this.#spawn = spawn;
    this.#fallback = fallback;
    this.#options = { ...options };
  }

  /** Threads made and still alive (busy or idle). */
  get threads(): number {
    return this.#threads;
  }

  /** Jobs waiting for a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `job` on a free thread (or the next one to become free; inline when too many
   * wait); resolves when it is done.
   */
  submit(job: J): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = { job, resolve, reject };
      if (this.#idle.length === 0 && this.#threads >= this.#options.maxThreads && this.#queue.length >= this.#options.maxQueued) {
        this.#runInline(entry);
        return;
      }
      this.#queue.push(entry);
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#takeIdle() ?? this.#newThread();
      if (thread === "busy") return; // every thread is working: the next to finish takes the job
      const next = this.#queue.shift()!;
      if (thread === "none") {
        this.#runInline(next);
        continue;
      }
      thread.run(next.job).then(next.resolve, next.reject).finally(() => {
        if (thread.alive) this.#putIdle(thread);
        else this.#threads--;
        this.#dispatch();
      });
    }
  }

  #takeIdle(): JobThread<J> | undefined {
    const idle = this.#idle.pop();
    if (!idle) return undefined;
    clearTimeout(idle.timer);
    return idle.thread;
  }

  #putIdle(thread: JobThread<J>): void {
    const idle: Idle<J> = {
      thread,
      timer: setTimeout(() => {
        const at = this.#idle.indexOf(idle);
        if (at < 0) return;
        this.#idle.splice(at, 1);
        this.#threads--;
        thread.end();
      }, this.#options.idleMs),
    };
    idle.timer.unref?.(); // an idle pool must not keep the process alive
    this.#idle.push(idle);
  }

  #newThread(): JobThread<J> | "busy" | "none" {
    if (this.#threads >= this.#options.maxThreads) return "busy";
    let thread: JobThread<J>;
    try {
      thread = this.#spawn();
    } catch {
      // No thread at all (none alive to wait for): run here rather than never.
      return this.#threads === 0 ? "none" : "busy";
    }
    this.#threads++;
    return thread;
  }

  #runInline(entry: Queued<J>): void {
    try {
      this.#fallback(entry.job);
      entry.resolve();
    } catch (error) {
      entry.reject(error);
    }
  }
}
