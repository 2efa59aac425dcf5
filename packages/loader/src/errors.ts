/**
 * Typed errors of the runtime. Each carries the operation, the errno (positive) and
 * its name, and where libbpf printed something, the whole captured log.
 */
import { errnoName, errnoText } from "./errno.ts";

/** Extra facts for a {@link LibbpfError}. */
export interface LibbpfErrorOptions {
  /** What libbpf (and the kernel verifier) printed during the operation. */
  log?: string;
  /** More context for the one-line message, e.g. the section an offset overflowed. */
  detail?: string;
  cause?: unknown;
}

/**
 * A libbpf call or a kernel operation failed.
 *
 * @example
 * try { obj.mapFd("nope") } catch (e) { if (e instanceof LibbpfError) console.error(e.errnoName) }
 */
export class LibbpfError extends Error {
  override name = "LibbpfError";
  /** The operation, e.g. "load object 'bootstrap_bpf'". */
  readonly op: string;
  /** Positive errno, or a libbpf code (4000+). */
  readonly errno: number;
  /** Symbolic errno, e.g. "EACCES". */
  readonly errnoName: string;
  /** The libbpf/verifier output captured during the operation, if any. */
  readonly log?: string;

  constructor(op: string, errno: number, options: LibbpfErrorOptions = {}) {
    const code = Math.abs(errno);
    const head = `${op}: ${errnoName(code)} (${errnoText(code)})`;
    super(options.detail ? `${head}: ${options.detail}` : head, { cause: options.cause });
    this.op = op;
    this.errno = code;
    this.errnoName = errnoName(code);
    if (options.log !== undefined) this.log = options.log;
  }
}

/** bpf_object__open_mem failed: the ELF is not a usable BPF object. */
export class OpenError extends LibbpfError {
  override name = "OpenError";
}

/** How many log lines a {@link LoadError} message shows; `.log` keeps everything. */
export const LOG_TAIL_LINES = 15;

/**
 * Loading the object failed (map creation, relocation or the verifier). `.log` holds
 * the whole libbpf/verifier log; `.message` ends with its last {@link LOG_TAIL_LINES} lines.
 */
export class LoadError extends LibbpfError {
  override name = "LoadError";
  /** The program the kernel refused, when the log names one. */
  readonly program?: string;

  constructor(op: string, errno: number, options: LibbpfErrorOptions = {}) {
    const program = failedProgram(options.log ?? "");
    const detail = options.detail ?? (program ? `program '${program}' was rejected` : undefined);
    super(op, errno, { ...options, detail });
    if (program) this.program = program;
    const tail = logTail(options.log ?? "", LOG_TAIL_LINES);
    if (tail) this.message += `\n${tail}`;
  }
}

/** A program could not be attached; the message names the program and its section. */
export class AttachError extends LibbpfError {
  override name = "AttachError";
}

/** The program libbpf reports as failing to load ("prog 'x': BPF program load failed"). */
export function failedProgram(log: string): string | undefined {
  return /prog '([^']+)': (?:BPF program load failed|failed to load)/.exec(log)?.[1];
}

/** The last `count` non-empty lines of a log. */
export function logTail(log: string, count: number): string {
  const lines = log.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(-count).join("\n");
}
