/**
 * Opening a BPF ELF object from memory (bpf_object__open_mem).
 */
import { BpfObject } from "./bpf-object.ts";
import { Errno } from "./errno.ts";
import { OpenError } from "./errors.ts";
import { libbpf } from "./ffi/libbpf.ts";
import { lastErrno } from "./ffi/libc.ts";
import { addressOf, pointerOrNull, toCString } from "./ffi/memory.ts";
import { captureLibbpfLog } from "./ffi/print-capture.ts";

/** Options for {@link openObject}. */
export interface OpenObjectOptions {
  /** Object name (libbpf's `object_name`), the prefix of internal map names. */
  name?: string;
}

// struct bpf_object_open_opts up to and including object_name: { size_t sz; const char *object_name; }
const OPEN_OPTS_BYTES = 16;

/**
 * Parses a BPF ELF object with libbpf. Nothing is loaded into the kernel yet.
 * The bytes are copied, so the caller may reuse `elf`.
 * Throws {@link OpenError} (e.g. LIBBPF_ERRNO__LIBELF for a non-ELF, EINVAL for bad options).
 *
 * @example
 * using obj = openObject(await Bun.file("prog.bpf.o").bytes(), { name: "prog_bpf" });
 * console.log(obj.programs());
 */
export function openObject(elf: Uint8Array, opts: OpenObjectOptions = {}): BpfObject {
  const op = `open object${opts.name === undefined ? "" : ` '${opts.name}'`}`;
  if (!(elf instanceof Uint8Array) || elf.length === 0) {
    throw new OpenError(op, Errno.EINVAL, { detail: "the object is empty" });
  }
  if (opts.name !== undefined && (opts.name === "" || opts.name.includes("\0"))) {
    throw new OpenError(op, Errno.EINVAL, { detail: "the name must be non-empty and contain no NUL" });
  }
  const lib = libbpf();
  const bytes = elf.slice();
  const name = opts.name === undefined ? undefined : toCString(opts.name);
  const options = new BigUint64Array([BigInt(OPEN_OPTS_BYTES), name ? BigInt(addressOf(name)) : 0n]);
  const { value, log } = captureLibbpfLog(() => {
    const object = pointerOrNull(lib.bpf_object__open_mem(bytes, bytes.length, options));
    return { object, errno: object === null ? lastErrno() : 0 };
  });
  if (value.object === null) throw new OpenError(op, value.errno || Errno.EINVAL, { log });
  return new BpfObject(value.object, bytes);
}
