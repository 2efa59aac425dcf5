/**
 * `openPackage`: the high-level entry point for using the loader alone. A
 * {@link PackageProgram} is inert (validated package, typed globals); `start()` makes a
 * {@link RunningProgram} that holds everything it loaded into the kernel.
 */
import { btfFromElf, parseElf, type Btf, type Decoder, type Elf } from "@eunomia/decoder";
import type { AttachOptions } from "./attach/attach-options.ts";
import { exportDecoder } from "./export-target.ts";
import { PackageError } from "./package/package-error.ts";
import { readPackage } from "./package/read-package.ts";
import type { Package, PackageMeta } from "./package/types.ts";
import { encodeGlobal, globalInfo, GlobalValueError, programGlobals, type GlobalInfo, type GlobalInput, type GlobalSlot } from "./program-globals.ts";
import { RunningProgram } from "./running-program.ts";

/** Options of {@link PackageProgram.start}. */
export interface StartOptions {
  /** Facts a section cannot carry: uprobe target, perf frequency, XDP/TC interface. */
  attach?: AttachOptions;
  /** Keep only the working one of twin fentry/kprobe programs (default true). */
  preferWorkingTwins?: boolean;
  /** Receives one line per twin program skipped. */
  onNotice?: (line: string) => void;
  /** Data pages per CPU of a perf event array export map (power of two, default 64). */
  perfPagesPerCpu?: number;
}

/**
 * A validated package, not yet in the kernel: inspect and set its globals, then
 * {@link start} it (as often as you like; each start is independent).
 */
export class PackageProgram {
  /** The validated metadata. */
  readonly meta: PackageMeta;
  /** The BPF ELF object. */
  readonly object: Uint8Array;
  /** The object's BTF. */
  readonly btf: Btf;
  readonly #elf: Elf;
  readonly #slots: GlobalSlot[];
  readonly #decoder: Decoder | undefined;

  /** @internal Use {@link openPackage}. */
  constructor(pkg: Package) {
    this.meta = pkg.meta;
    this.object = pkg.object;
    try {
      this.#elf = parseElf(pkg.object);
      this.btf = btfFromElf(this.#elf);
    } catch (cause) {
      throw new PackageError(`the object's BTF cannot be read (${(cause as Error).message})`, { path: "bpf_object", cause });
    }
    this.#slots = programGlobals(pkg.meta, this.#elf, this.btf);
    this.#decoder = exportDecoder(pkg.meta, this.btf);
  }

  /** The object name libbpf uses (`meta.bpf_skel.obj_name`). */
  get name(): string {
    return this.meta.bpf_skel.obj_name;
  }

  /** The settable globals with C types and current/default values, in metadata order. */
  get globals(): GlobalInfo[] {
    return this.#slots.map(globalInfo);
  }

  /**
   * Sets a global for the next start(): integers (number, bigint or decimal/0x text,
   * range-checked for their C width), floats, bool, enums by name, `char[N]` strings.
   * Throws {@link GlobalValueError} for an unknown name or a value that does not fit.
   *
   * @example
   * program.setGlobal("min_duration_ns", 1_000_000n);
   */
  setGlobal(name: string, value: GlobalInput): this {
    const slot = this.#slots.find((s) => s.info.name === name);
    if (!slot) {
      const known = this.#slots.map((s) => s.info.name).join(", ") || "none";
      throw new GlobalValueError(name, `no such global (globals: ${known})`);
    }
    slot.setBytes = encodeGlobal(this.btf, slot, value);
    return this;
  }

  /**
   * Opens the object, writes the globals, loads it, opens the export map's reader and
   * attaches every program. All or nothing: on failure whatever was made is released.
   * Needs CAP_BPF (and CAP_PERFMON for perf buffers). Throws {@link LoadError},
   * {@link AttachError} or {@link LibbpfError}.
   *
   * @example
   * using running = program.start();
   */
  start(opts: StartOptions = {}): RunningProgram {
    const writes = this.#slots.flatMap((s) => {
      const bytes = s.setBytes ?? s.defaultBytes;
      return bytes ? [{ section: s.info.section, offset: s.info.offset, bytes }] : [];
    });
    return new RunningProgram({ program: this, elf: this.#elf, decoder: this.#decoder, writes, opts });
  }
}

/**
 * Reads and validates a package: a Uint8Array (JSON or MessagePack form), JSON text, or
 * a file path. Pure until start(): touches neither libbpf nor the kernel.
 * Throws {@link PackageError} with a one-line message (unreadable file, malformed
 * package, metadata that does not match the object).
 *
 * @example
 * const program = await openPackage("examples/bootstrap/package.json");
 * program.setGlobal("min_duration_ns", 1_000_000n);
 * using running = program.start();
 * for await (const event of running.events({ signal: AbortSignal.timeout(5000) })) console.log(event);
 */
export async function openPackage(input: Uint8Array | string): Promise<PackageProgram> {
  let bytes: Uint8Array | string;
  if (input instanceof Uint8Array) bytes = input;
  else if (typeof input !== "string") throw new PackageError("input must be a path, JSON text or a Uint8Array");
  else if (/^\s*\{/.test(input)) bytes = input;
  else {
    try {
      bytes = await Bun.file(input).bytes();
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? (cause as Error).message;
      throw new PackageError(`cannot read ${input} (${code})`, { cause });
    }
  }
  if (bytes instanceof Uint8Array && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    throw new PackageError("this is a plain BPF object, not a package (build one with `ecli build`)");
  }
  return new PackageProgram(readPackage(bytes));
}
