/**
 * Tuning of the C heap (glibc malloc) that libbpf allocates from.
 *
 * Every bpf_object__load parses the kernel's BTF (about 5.5 MB on 6.18) for CO-RE and
 * frees it again; glibc then hands the freed top of its heap back to the kernel, so the
 * next load faults the same pages in again (zeroed): about half of a load's 20 ms. A
 * process that loads objects again and again (a server) can ask glibc to keep some
 * padding instead (M_TOP_PAD), trading that much resident memory for faster loads.
 */
import { dlopen, FFIType } from "bun:ffi";
import { LIBC_NAME } from "./libc.ts";

/** `M_TOP_PAD` of glibc's <malloc.h>. */
const M_TOP_PAD = -2;

/**
 * Asks glibc's malloc to keep `bytes` of heap padding when it grows or trims the heap.
 * Process-wide. Returns false where the C library has no `mallopt` (musl) or refuses.
 */
export function setHeapTopPad(bytes: number): boolean {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 0x7fffffff) throw new RangeError(`heap padding must be an integer from 0 to 2147483647, not ${bytes}`);
  let mallopt: (param: number, value: number) => number;
  try {
    // int mallopt(int param, int value)
    mallopt = dlopen(LIBC_NAME, { mallopt: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } }).symbols.mallopt;
  } catch {
    return false; // not glibc: nothing to tune
  }
  return mallopt(M_TOP_PAD, bytes) === 1;
}
