/**
 * Raw memory helpers: C strings, views over native memory, and addresses of JS buffers.
 */
import { CString, ptr, toArrayBuffer, type Pointer } from "bun:ffi";

/** An address in native memory. Re-exported so code outside src/ffi never imports bun:ffi. */
export type NativePointer = Pointer;

/** A pointer returned by a native call (bun:ffi may type it as bigint), or null for NULL. */
export function pointerOrNull(value: NativePointer | bigint | null): NativePointer | null {
  if (value === null) return null;
  return typeof value === "bigint" ? asPointer(value) : value;
}

/** Reads a NUL-terminated C string; NULL reads as "". */
export function readCString(address: NativePointer | bigint | null): string {
  const p = pointerOrNull(address);
  return p === null ? "" : new CString(p).toString();
}

/** A NUL-terminated copy of `text`, to pass as `const char *`. */
export function toCString(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}

/** An ArrayBuffer over `length` bytes of native memory (no copy; valid while the memory is). */
export function nativeView(address: NativePointer, length: number): ArrayBuffer {
  return toArrayBuffer(address, 0, length);
}

/** The address of a JS buffer's bytes, for calls that take `void *`. */
export function addressOf(bytes: Uint8Array): NativePointer {
  return ptr(bytes);
}

/** Turns a numeric address (e.g. from a 64-bit return value) into a pointer. */
export function asPointer(address: number | bigint): NativePointer {
  return Number(address) as NativePointer;
}
