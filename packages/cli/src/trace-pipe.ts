/**
 * `ecli run --printk`: streams the kernel's trace pipe (where `bpf_printk` writes) while a
 * package runs. The pipe is opened non-blocking and polled, so stopping never leaves a
 * reader blocked in the kernel: `close()` ends it at once.
 */
import { closeSync, constants, openSync, readSync } from "node:fs";

/** Where tracefs exposes the pipe. */
export const TRACE_PIPE = "/sys/kernel/tracing/trace_pipe";

/** The trace pipe could not be opened or read. */
export class TracePipeError extends Error {
  override readonly name = "TracePipeError";
  constructor(message: string, readonly path: string, readonly code?: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A running reader of the trace pipe; `close()` (or `using`) stops it, and is safe twice. */
export interface TracePipeReader extends Disposable {
  close(): void;
}

/**
 * Opens the trace pipe and hands every complete line (without its newline) to `onLine`,
 * polling every `intervalMs` until closed.
 * @throws TracePipeError when the pipe is absent (tracefs not mounted) or cannot be opened.
 * @example using printk = readTracePipe((line) => console.log(line));
 */
export function readTracePipe(onLine: (line: string) => void, opts: { path?: string; intervalMs?: number } = {}): TracePipeReader {
  const path = opts.path ?? TRACE_PIPE;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? " (is tracefs mounted? mount -t tracefs tracefs /sys/kernel/tracing)" : "";
    throw new TracePipeError(`cannot open the trace pipe ${path}: ${code ?? String(err)}${hint}`, path, code, { cause: err });
  }
  const buffer = new Uint8Array(64 * 1024);
  const decoder = new TextDecoder();
  let pending = "";
  let closed = false;
  const poll = () => {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EAGAIN") return;
        throw new TracePipeError(`reading the trace pipe ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, path, (err as NodeJS.ErrnoException).code, { cause: err });
      }
      if (n <= 0) return;
      pending += decoder.decode(buffer.subarray(0, n), { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  };
  const timer = setInterval(poll, opts.intervalMs ?? 100);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    try {
      poll(); // what arrived since the last poll
    } finally {
      closeSync(fd);
    }
  };
  return { close, [Symbol.dispose]: close };
}
