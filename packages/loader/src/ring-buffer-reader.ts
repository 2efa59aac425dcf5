/**
 * Reads a BPF_MAP_TYPE_RINGBUF straight from its mmap'd pages: no FFI call per event.
 */
import { Errno } from "./errno.ts";
import { LibbpfError } from "./errors.ts";
import { FdPoller } from "./ffi/fd-poller.ts";
import { mapInfoByFd } from "./ffi/map-info.ts";
import { pageSize, PROT_READ, PROT_WRITE, SharedMapping } from "./ffi/mapping.ts";
import { RingWalker } from "./ring-walker.ts";

/** `BPF_MAP_TYPE_RINGBUF` from linux/bpf.h. */
export const BPF_MAP_TYPE_RINGBUF = 27;

/**
 * Consumer of one BPF ring buffer map.
 *
 * Needs CAP_BPF (or root) for the map fd. Throws {@link LibbpfError} if `mapFd` is not a
 * ring buffer or its pages cannot be mapped.
 *
 * @example
 * using reader = new RingBufferReader(obj.mapFd("events"));
 * while (running) {
 *   if (await reader.wait(100)) reader.drain((data) => handle(data.slice()));
 * }
 */
export class RingBufferReader implements Disposable {
  readonly #fd: number;
  readonly #walker: RingWalker;
  readonly #mappings: DisposableStack;
  #poller: FdPoller | undefined;
  #closed = false;

  constructor(mapFd: number) {
    const info = mapInfoByFd(mapFd);
    if (info.type !== BPF_MAP_TYPE_RINGBUF) {
      throw new LibbpfError(`ring buffer reader for fd ${mapFd}`, Errno.EINVAL, {
        detail: `map '${info.name}' has type ${info.type}, not BPF_MAP_TYPE_RINGBUF (${BPF_MAP_TYPE_RINGBUF})`,
      });
    }
    const page = pageSize();
    using stack = new DisposableStack();
    const consumer = stack.use(
      new SharedMapping(`consumer page of ring buffer '${info.name}'`, mapFd, page, PROT_READ | PROT_WRITE, 0),
    );
    // The kernel maps the data pages twice in a row, so a record is always contiguous.
    const producer = stack.use(
      new SharedMapping(`producer pages of ring buffer '${info.name}'`, mapFd, page + 2 * info.maxEntries, PROT_READ, page),
    );
    this.#walker = new RingWalker(consumer.buffer, producer.buffer, page, info.maxEntries);
    this.#fd = mapFd;
    this.#mappings = stack.move();
  }

  /**
   * Consumes committed records, at most `limit` of them (bounded batches keep a slow
   * consumer's memory flat). `onRecord` gets a view into the ring that is valid only
   * during the call (copy with `data.slice()` to keep it).
   * @returns the number of records handed to `onRecord`
   */
  drain(onRecord: (data: Uint8Array) => void, limit = Infinity): number {
    this.#assertOpen("drain");
    return this.#walker.drain(onRecord, limit);
  }

  /**
   * Like {@link drain}, without allocating a view per record: `onRecord` receives the
   * whole mapped area and the record's offset and length in it, valid only during the
   * call. For decoders that read in place (`decode(area, offset)`).
   */
  drainInPlace(onRecord: (area: Uint8Array, offset: number, length: number) => void, limit = Infinity): number {
    this.#assertOpen("drain");
    return this.#walker.drainInPlace(onRecord, limit);
  }

  /**
   * Resolves true when records may be ready, false after `timeoutMs` (negative or
   * Infinity: no limit) or when close() ends the wait. A Worker does the blocking
   * epoll_wait, so the JS thread stays free. Throws {@link LibbpfError} once closed.
   */
  async wait(timeoutMs: number): Promise<boolean> {
    this.#assertOpen("wait");
    if (this.#walker.pending()) return true;
    this.#poller ??= new FdPoller(this.#fd);
    return this.#poller.wait(timeoutMs);
  }

  /** Stops the poller and unmaps the pages; earlier record views become empty. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller?.close();
    this.#mappings.dispose();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #assertOpen(op: string): void {
    if (this.#closed) {
      throw new LibbpfError(`ring buffer ${op}`, Errno.EBADF, { detail: "the reader is closed" });
    }
  }
}
