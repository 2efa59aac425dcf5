/**
 * Bounds-checked access to a WebAssembly module's linear memory. Memory may grow
 * between calls (which replaces its ArrayBuffer), so every access reads `buffer` afresh.
 */
import { WasmError } from "./errors.ts";

const MAX_CSTRING = 4096;

/** The module's memory as the host sees it; every (pointer, length) is checked before use. */
export class GuestMemory {
  readonly #memory: WebAssembly.Memory;
  // A view of the current buffer, rebuilt when memory.grow replaces it (hot path: one copy per event).
  #u8: Uint8Array;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
    this.#u8 = new Uint8Array(memory.buffer);
  }

  /** Copies `bytes` to `ptr`; throws {@link WasmError} as {@link bytes} does. */
  write(ptr: number, bytes: Uint8Array, what: string, call: string): void {
    let u8 = this.#u8;
    if (u8.buffer !== this.#memory.buffer) u8 = this.#u8 = new Uint8Array(this.#memory.buffer);
    if (ptr < 0 || ptr + bytes.length > u8.length) this.bytes(ptr, bytes.length, what, call); // throws
    u8.set(bytes, ptr);
  }

  /** Current size in bytes. */
  get size(): number {
    return this.#memory.buffer.byteLength;
  }

  /**
   * A live view of `length` bytes at `ptr` (writes land in the module's memory).
   * Throws {@link WasmError} naming `what` and `call` when the range leaves the memory.
   */
  bytes(ptr: number, length: number, what: string, call: string): Uint8Array {
    const buffer = this.#memory.buffer;
    if (!Number.isInteger(ptr) || !Number.isInteger(length) || ptr < 0 || length < 0 || ptr + length > buffer.byteLength) {
      throw new WasmError(`${call}: ${what} at ${hex(ptr)} + ${length} bytes is outside the module's ${buffer.byteLength}-byte memory`);
    }
    return new Uint8Array(buffer, ptr, length);
  }

  /** A DataView of `length` bytes at `ptr`, checked as {@link bytes}. */
  view(ptr: number, length: number, what: string, call: string): DataView {
    const b = this.bytes(ptr, length, what, call);
    return new DataView(b.buffer, b.byteOffset, length);
  }

  /** The NUL-terminated UTF-8 string at `ptr` (at most 4096 bytes); throws {@link WasmError}. */
  cString(ptr: number, what: string, call: string): string {
    const size = this.size;
    if (!Number.isInteger(ptr) || ptr <= 0 || ptr >= size) {
      throw new WasmError(`${call}: ${what} at ${hex(ptr)} is outside the module's ${size}-byte memory`);
    }
    const area = new Uint8Array(this.#memory.buffer, ptr, Math.min(MAX_CSTRING, size - ptr));
    const end = area.indexOf(0);
    if (end < 0) throw new WasmError(`${call}: ${what} at ${hex(ptr)} has no terminating NUL within ${area.length} bytes`);
    return new TextDecoder().decode(area.subarray(0, end));
  }
}

/** A wasm32 pointer as the module's author would print it. */
export function hex(ptr: number): string {
  return Number.isFinite(ptr) && ptr >= 0 ? `0x${ptr.toString(16)}` : String(ptr);
}

/** A wasm i32 argument as an unsigned 32-bit pointer or length (i32 arrives signed in JS). */
export function u32(value: number | bigint): number {
  return Number(BigInt.asUintN(32, BigInt(value)));
}

/** A wasm i32 argument as a signed 32-bit integer. */
export function i32(value: number | bigint): number {
  return Number(BigInt.asIntN(32, BigInt(value)));
}
