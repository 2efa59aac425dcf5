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
}

interface Queued<J> {
  job: J;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Runs submitted jobs on at most `maxThreads` threads, made on demand and kept for the
 * next jobs. When no thread can be made at all, a job runs inline through `fallback`.
 *
 * @example
 * const pool = new ThreadPool(() => new MyThread(), 4, (job) => runHere(job));
 * await Promise.all(jobs.map((j) => pool.submit(j)));
 */
export class ThreadPool<J> {
  readonly #spawn: () => JobThread<J>;
  readonly #maxThreads: number;
  readonly #fallback: (job: J) => void;
  readonly #idle: JobThread<J>[] = [];
  readonly #queue: Queued<J>[] = [];
  #threads = 0;

  constructor(spawn: () => JobThread<J>, maxThreads: number, fallback: (job: J) => void) {
    if (!Number.isInteger(maxThreads) || maxThreads < 1) throw new RangeError(`maxThreads must be a positive integer, not ${maxThreads}`);
    this.#spawn = spawn;
    this.#maxThreads = maxThreads;
    this.#fallback = fallback;
  }

  /** Threads made and still alive (busy or idle). */
  get threads(): number {
    return this.#threads;
  }

  /** Runs `job` on a free thread (or the next one to become free); resolves when it is done. */
  submit(job: J): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#idle.pop() ?? this.#newThread();
      if (thread === "busy") return; // every thread is working: the next to finish takes the job
      const next = this.#queue.shift()!;
      if (thread === "none") {
        this.#runInline(next);
        continue;
      }
      thread.run(next.job).then(next.resolve, next.reject).finally(() => {
        if (thread.alive) this.#idle.push(thread);
        else this.#threads--;
        this.#dispatch();
      });
    }
  }

  #newThread(): JobThread<J> | "busy" | "none" {
    if (this.#threads >= this.#maxThreads) return "busy";
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
