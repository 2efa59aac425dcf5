/**
 * Captures libbpf's log (including the verifier log it prints on a failed load).
 *
 * libbpf calls `int print(enum libbpf_print_level, const char *fmt, va_list ap)`.
 * bun:ffi cannot walk a va_list, but libc can: on x86-64 and arm64 a va_list
 * parameter arrives as a pointer, which we pass straight to `vsnprintf`. When the
 * buffer is too small we restore the va_list bytes (what `va_copy` does on these
 * ABIs) and format again into a larger buffer, so long verifier logs stay whole.
 */
import { FFIType, JSCallback, ptr, type Pointer } from "bun:ffi";
import { libc } from "./libc.ts";
import { nativeView } from "./memory.ts";

/** `enum libbpf_print_level`. */
export const PrintLevel = { Warn: 0, Info: 1, Debug: 2 } as const;

// Size of the va_list object a va_list parameter points to (0: unknown ABI, no retry).
const VA_LIST_BYTES = process.arch === "x64" ? 24 : process.arch === "arm64" ? 32 : 0;

let buffer = new Uint8Array(4096);
const decoder = new TextDecoder();
// Innermost active capture; messages outside any capture go to stderr (warnings only).
let active: string[] | null = null;
const debug = process.env.EUNOMIA_LIBBPF_DEBUG === "1";
let callback: JSCallback | undefined;

function format(fmt: Pointer, ap: Pointer): string {
  const saved = VA_LIST_BYTES ? new Uint8Array(nativeView(ap, VA_LIST_BYTES)).slice() : undefined;
  let n = libc().vsnprintf(ptr(buffer), buffer.length, fmt, ap);
  if (n < 0) return "";
  if (n >= buffer.length && saved) {
    buffer = new Uint8Array(Math.max(n + 1, buffer.length * 2));
    new Uint8Array(nativeView(ap, VA_LIST_BYTES)).set(saved);
    n = libc().vsnprintf(ptr(buffer), buffer.length, fmt, ap);
  }
  return decoder.decode(buffer.subarray(0, Math.min(n, buffer.length - 1)));
}

function onPrint(level: number, fmt: Pointer | null, ap: Pointer | null): number {
  const wanted = debug || (active !== null ? level <= PrintLevel.Info : level === PrintLevel.Warn);
  if (!wanted || fmt === null || ap === null) return 0;
  const text = format(fmt, ap);
  if (active !== null) active.push(text);
  if (active === null || debug) process.stderr.write(text);
  return 0;
}

/**
 * Installs the print callback through `setPrint` (libbpf_set_print). Called once,
 * right after libbpf is opened; the callback lives for the whole process.
 */
export function installPrintCallback(setPrint: (fn: Pointer | null) => unknown): void {
  if (callback) return;
  callback = new JSCallback(onPrint, {
    args: [FFIType.i32, FFIType.ptr, FFIType.ptr],
    returns: FFIType.i32,
  });
  setPrint(callback.ptr);
}

/**
 * Runs `fn` and returns what libbpf printed (warnings and info) meanwhile, with its result
 * or the error it threw. Captures nest; the innermost one receives the text.
 */
export function captureLibbpfLog<T>(fn: () => T): { value: T; log: string } {
  const outer = active;
  const lines: string[] = [];
  active = lines;
  try {
    return { value: fn(), log: lines.join("") };
  } finally {
    active = outer;
  }
}

/** Test hook: shrink or grow the format buffer to exercise the retry path. */
export function setFormatBufferSize(size: number): void {
  buffer = new Uint8Array(size);
}
