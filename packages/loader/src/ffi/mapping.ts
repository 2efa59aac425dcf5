/**
 * Shared memory mappings of kernel objects (the ring buffer's pages).
 */
import { LibbpfError } from "../errors.ts";
import { lastErrno, libc } from "./libc.ts";
import { asPointer, nativeView, type NativePointer } from "./memory.ts";

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
const MAP_SHARED = 0x01;

/** The system page size in bytes. */
export function pageSize(): number {
  return libc().getpagesize();
}

/**
 * One `mmap(MAP_SHARED)` region of a file descriptor. `buffer` views it without
 * copying; `close()` detaches `buffer` (so stale views read as empty instead of
 * faulting) and unmaps. Safe to call twice.
 */
export class SharedMapping implements Disposable {
  readonly buffer: ArrayBuffer;
  readonly length: number;
  #address: NativePointer | null;

  /** Maps `length` bytes of `fd` at `offset`. Throws {@link LibbpfError} naming `what` on failure. */
  constructor(what: string, fd: number, length: number, prot: number, offset: number) {
    const result = libc().mmap(null, length, prot, MAP_SHARED, fd, offset);
    if (result < 0n) throw new LibbpfError(`mmap ${what}`, lastErrno() || 22);
    this.#address = asPointer(result);
    this.length = length;
    this.buffer = nativeView(this.#address, length);
  }

  close(): void {
    if (this.#address === null) return;
    // transfer(0) detaches the external buffer without copying it.
    this.buffer.transfer(0);
    libc().munmap(this.#address, this.length);
    this.#address = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
