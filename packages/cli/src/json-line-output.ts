/**
 * `JsonLineOutput`: JSON lines written by a compiled `JsonWriter` straight into a reused
 * byte buffer, handed out one whole buffer at a time. Also `stdoutSink`, a write function
 * for standard output that writes synchronously and copes with a non-blocking pipe.
 */
import { writeSync } from "node:fs";
import type { JsonWriter } from "@eunomia/decoder";

/** Takes one chunk of output; may finish later (the chunk is never touched again). */
export type ChunkSink = (chunk: Uint8Array) => Promise<unknown> | unknown;

/** Standard output was closed by its reader (EPIPE): nothing more can be printed. */
export class OutputClosedError extends Error {
  override readonly name = "OutputClosedError";
}

/**
 * Collects JSON lines in a buffer of `capacity` bytes; a full buffer is passed to `write`
 * and the lines go on into a fresh one, so an asynchronous write never sees its chunk
 * change. A line longer than the buffer gets a buffer of its own size.
 *
 * @example
 *   const output = new JsonLineOutput(stdoutSink());
 *   output.add(writeJson, bytes, offset); // for each record
 *   await output.flush();                 // after each batch
 */
export class JsonLineOutput {
  private buf: Uint8Array;
  private pos = 0;
  private pending: Promise<unknown> | undefined;
  private failure: unknown;

  constructor(private readonly write: ChunkSink, private readonly capacity = 1 << 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`JSON output buffer capacity must be a positive integer, not ${capacity}`);
    this.buf = new Uint8Array(capacity);
  }

  /** Bytes waiting in the buffer. */
  get buffered(): number {
    return this.pos;
  }

  /** Appends the JSON line of the record at `src[offset]`. Throws what the writer throws. */
  add(writer: JsonWriter, src: Uint8Array, offset: number): void {
    const end = writer(src, offset, this.buf, this.pos);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    this.emit();
    let size = this.capacity;
    for (;;) {
      const e = writer(src, offset, this.buf, 0);
      if (e >= 0) {
        this.pos = e;
        return;
      }
      size *= 2; // one line longer than the whole buffer
      this.buf = new Uint8Array(size);
    }
  }

  /** Writes what is buffered and waits for every write so far. Rethrows a write's failure. */
  async flush(): Promise<void> {
    this.emit();
    const pending = this.pending;
    this.pending = undefined;
    if (pending) await pending;
    if (this.failure !== undefined) {
      const e = this.failure;
      this.failure = undefined;
      throw e;
    }
  }

  /** Hands the filled part of the buffer to `write`; a fresh buffer only while a write is in flight. */
  private emit(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    const previous = this.pending;
    if (previous) {
      // Keep the order: this chunk goes out after the one still being written.
      this.buf = new Uint8Array(this.capacity);
      this.pending = previous.then(() => this.write(chunk)).catch((e: unknown) => void (this.failure ??= e));
      return;
    }
    let r: unknown;
    try {
      r = this.write(chunk);
    } catch (e) {
      this.failure ??= e;
      return;
    }
    if (r instanceof Promise) {
      this.buf = new Uint8Array(this.capacity); // the chunk is still being written
      this.pending = r.catch((e: unknown) => void (this.failure ??= e));
    }
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}

/**
 * A `ChunkSink` for file descriptor `fd` (standard output by default): `writeSync`, which
 * is the cheapest write here; when the descriptor is a non-blocking pipe that is full
 * (EAGAIN), the rest is written with `Bun.write`, which waits for room. A reader that went
 * away (EPIPE) becomes an `OutputClosedError`.
 */
export function stdoutSink(fd = 1): ChunkSink {
  return (chunk: Uint8Array): Promise<void> | undefined => {
    let done = 0;
    try {
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
      return undefined;
    } catch (e) {
      const code = errnoCode(e);
      if (code === "EPIPE") throw new OutputClosedError(`output closed by its reader (EPIPE) after ${done} of ${chunk.length} bytes`, { cause: e });
      if (code !== "EAGAIN") throw e;
      return Bun.write(Bun.file(fd), chunk.subarray(done)).then(
        () => undefined,
        (err: unknown) => {
          if (errnoCode(err) === "EPIPE") throw new OutputClosedError("output closed by its reader (EPIPE)", { cause: err });
          throw err;
        },
      );
    }
  };
}
