/**
 * A task's output: a bounded ring of lines, each numbered by a cursor that only grows.
 * When a flooding task overfills it, the oldest lines are dropped and counted, so memory
 * stays flat and readers learn how much they missed.
 */

/** Lines read from a ring. */
export interface OutputPage {
  lines: string[];
  /** The cursor to read from next. */
  next: number;
  /** Lines between the asked cursor and the first line returned that were already dropped. */
  missed: number;
}

/** A bounded ring of output lines with a monotonically increasing cursor. */
export class OutputRing {
  readonly #lines: string[];
  /** Cursor of the next line written; line `c` lives at `c % capacity` while `c >= first`. */
  #end = 0;
  #dropped = 0;
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`output ring capacity must be a positive integer, not ${capacity}`);
    this.#lines = new Array<string>(capacity);
  }

  /** Cursor of the oldest line still held. */
  get first(): number {
    return Math.max(0, this.#end - this.capacity);
  }

  /** Cursor of the next line to be written (= lines written so far). */
  get end(): number {
    return this.#end;
  }

  /** Lines dropped because the ring was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True once {@link close} was called: no more lines will come. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Appends lines (without their "\n"); wakes every follower. */
  push(lines: readonly string[]): void {
    if (lines.length === 0 || this.#closed) return;
    for (const line of lines) {
      if (this.#end >= this.capacity) this.#dropped++;
      this.#lines[this.#end % this.capacity] = line;
      this.#end++;
    }
    this.#wake();
  }

  /** Up to `limit` lines from `cursor` on (a cursor older than {@link first} starts at it). */
  read(cursor: number, limit = this.capacity): OutputPage {
    const from = Math.min(Math.max(cursor, this.first), this.#end);
    const to = Math.min(this.#end, from + Math.max(0, limit));
    const lines: string[] = [];
    for (let c = from; c < to; c++) lines.push(this.#lines[c % this.capacity]);
    return { lines, next: to, missed: Math.max(0, Math.min(from, this.#end) - Math.max(0, cursor)) };
  }

  /** Resolves when lines past `cursor` exist, the ring closes, or `signal` aborts. */
  waitBeyond(cursor: number, signal?: AbortSignal): Promise<void> {
    if (this.#end > cursor || this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Ends the output: followers finish after reading what is left. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
