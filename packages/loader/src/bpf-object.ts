/**
 * A live libbpf object: opened from an ELF, configured, loaded into the kernel,
 * attached. Every kernel resource it holds is released by close().
 */
import type { AttachOptions } from "./attach/attach-options.ts";
import { attachProgram, type Detacher } from "./attach/attach-program.ts";
import { programKind } from "./attach/program-kind.ts";
import { loadRefusalReason, refusedLoad } from "./attach/refusal.ts";
import { fentryLoads } from "./attach/tracing-support.ts";
import { chooseTwins, findTwinPairs, type TwinChoice } from "./attach/twin-programs.ts";
import { BpfMap } from "./bpf-map.ts";
import { Errno } from "./errno.ts";
import { LibbpfError, LoadError, type AttachError } from "./errors.ts";
import { libbpf } from "./ffi/libbpf.ts";
import { destroyLinkOffThread } from "./ffi/link-destroyer.ts";
import { setHeapTopPad } from "./ffi/native-heap.ts";
import { nativeView, pointerOrNull, readCString, type NativePointer } from "./ffi/memory.ts";
import { captureLibbpfLog } from "./ffi/print-capture.ts";
import { programRunStats, type ProgramRunStats } from "./ffi/prog-info.ts";
import { handleBackstop, releaseHandle, type ObjectHandle } from "./object-handle.ts";

/** A program of the object. */
export interface ProgramInfo {
  /** The C function name. */
  name: string;
  /** The ELF section, e.g. "tracepoint/syscalls/sys_enter_kill". */
  section: string;
}

/** A map of the object, as libbpf describes it (internal maps are named like "prog_bpf.rodata"). */
export interface MapInfo {
  name: string;
  /** `enum bpf_map_type`, e.g. 27 for BPF_MAP_TYPE_RINGBUF. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

type Phase = "opened" | "loaded" | "closed";

/**
 * An opened BPF object. Create it with {@link openObject}. Lifecycle:
 * `writeSection` (optional) → `load` → `attachAll` → `close`.
 *
 * @example
 * using obj = openObject(elf, { name: "bootstrap_bpf" });
 * obj.writeSection(".rodata", 0, new Uint8Array([1, 0, 0, 0]));
 * obj.load();
 * obj.attachAll();
 */
export class BpfObject implements Disposable {
  /** The object name libbpf uses (prefix of its internal map names). */
  readonly name: string;
  readonly #handle: ObjectHandle;
  #phase: Phase = "opened";
  // libbpf may keep pointers into the ELF buffer until load, so we keep it alive.
  #elf: Uint8Array | undefined;

  /** @internal Use {@link openObject}. */
  constructor(object: NativePointer, elf: Uint8Array) {
    this.#handle = { object, detachers: [] };
    this.#elf = elf;
    this.name = readCString(libbpf().bpf_object__name(object));
    handleBackstop.register(this, this.#handle, this);
  }

  /**
   * For a process that loads objects again and again (a server): keeps `bytes` (default
   * 16 MiB) of the C heap libbpf allocates from, instead of handing it back to the kernel
   * after each load and faulting it in again on the next. Every load parses the kernel's
   * BTF (5.5 MB on 6.18), so this about halves {@link load} (about 20 → 10 ms for
   * examples/bootstrap), for up to `bytes` more resident memory. Process-wide; glibc
   * only: returns false where it has no effect. Throws RangeError for a bad size.
   *
   * @example
   * BpfObject.keepLoadMemory(); // once, at server start
   */
  static keepLoadMemory(bytes = 16 * 1024 * 1024): boolean {
    return setHeapTopPad(bytes);
  }

  /** Every program, in ELF order. */
  programs(): ProgramInfo[] {
    const lib = libbpf();
    return this.#programPointers("list programs").map((prog) => ({
      name: readCString(lib.bpf_program__name(prog)),
      section: readCString(lib.bpf_program__section_name(prog)),
    }));
  }

  /**
   * Run count and time of every loaded program, as the kernel counts them while
   * `kernel.bpf_stats_enabled` is 1 (zeros otherwise); programs not loaded are left out.
   * Throws {@link LibbpfError} once closed.
   */
  programStats(): ({ name: string } & ProgramRunStats)[] {
    const lib = libbpf();
    return this.#programPointers("read program stats").flatMap((prog) => {
      const fd = lib.bpf_program__fd(prog);
      return fd < 0 ? [] : [{ name: readCString(lib.bpf_program__name(prog)), ...programRunStats(fd) }];
    });
  }

  /** Every map, including libbpf's internal .rodata/.bss/.data maps. */
  maps(): MapInfo[] {
    const lib = libbpf();
    return this.#mapPointers("list maps").map((map) => ({
      name: readCString(lib.bpf_map__name(map)),
      type: lib.bpf_map__type(map),
      keySize: lib.bpf_map__key_size(map),
      valueSize: lib.bpf_map__value_size(map),
      maxEntries: lib.bpf_map__max_entries(map),
    }));
  }

  /**
   * Copies `bytes` into a global data section's initial value before load.
   * `mapName` matches exactly, or, starting with ".", as a suffix of libbpf's internal
   * map name (".rodata" finds "prog_bpf.rodata").
   * Throws {@link LibbpfError}: EBUSY after load, ENOENT for an unknown map, ERANGE out of bounds.
   */
  writeSection(mapName: string, offset: number, bytes: Uint8Array): void {
    const op = `write section '${mapName}'`;
    if (this.#phase === "loaded") {
      throw new LibbpfError(op, Errno.EBUSY, { detail: "the object is already loaded" });
    }
    const map = this.#findMap(op, mapName);
    const sizeBox = new BigUint64Array(1);
    const initial = pointerOrNull(libbpf().bpf_map__initial_value(map, sizeBox));
    if (initial === null) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: "the map has no initial value (not a data section)" });
    }
    const size = Number(sizeBox[0]);
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > size) {
      throw new LibbpfError(op, Errno.ERANGE, {
        detail: `offset ${offset} + ${bytes.length} bytes is outside the section's ${size} bytes`,
      });
    }
    new Uint8Array(nativeView(initial, size)).set(bytes, offset);
  }

  /**
   * Enables or disables loading of one program (e.g. to keep only one of twin
   * fentry/kprobe programs). Before load only; throws {@link LibbpfError}.
   */
  setAutoload(programName: string, enabled: boolean): void {
    const op = `set autoload of program '${programName}'`;
    const prog = this.#programPointers(op).find((p) => readCString(libbpf().bpf_program__name(p)) === programName);
    if (!prog) throw new LibbpfError(op, Errno.ENOENT, { detail: "no such program" });
    const rc = libbpf().bpf_program__set_autoload(prog, enabled);
    if (rc < 0) throw new LibbpfError(op, -rc);
  }

  /**
   * For each pair of twin programs (fentry + kprobe, or fexit + kretprobe, on the same
   * kernel function, the libbpf-tools pattern) keeps the one this kernel runs and
   * disables the other's autoload: fentry when a probe fentry program loads here,
   * otherwise the kprobe. Before load; needs CAP_BPF. `onNotice` gets one line per skip.
   *
   * @example
   * obj.preferWorkingTwins((line) => console.error(line));
   * obj.load();
   */
  preferWorkingTwins(onNotice: (line: string) => void = () => {}): TwinChoice[] {
    if (this.#phase !== "opened") {
      throw new LibbpfError("choose twin programs", Errno.EBUSY, { detail: "the object is already loaded" });
    }
    const choices = chooseTwins(findTwinPairs(this.programs()), fentryLoads);
    for (const choice of choices) {
      this.setAutoload(choice.skip.name, false);
      onNotice(choice.notice);
    }
    return choices;
  }

  /**
   * Creates the maps and loads every program into the kernel. Needs CAP_BPF.
   * Throws {@link LoadError} carrying the whole libbpf/verifier log.
   */
  load(): void {
    const op = `load object '${this.name}'`;
    const object = this.#live(op);
    if (this.#phase === "loaded") throw new LibbpfError(op, Errno.EBUSY, { detail: "already loaded" });
    const { value: rc, log } = captureLibbpfLog(() => libbpf().bpf_object__load(object));
    if (rc < 0) {
      const error = new LoadError(op, -rc, { log });
      const program = error.program === undefined ? undefined : this.programs().find((p) => p.name === error.program);
      const reason = program && loadRefusalReason(programKind(program.section), error.errno);
      if (program && reason) throw refusedLoad(program.name, program.section, reason, error);
      throw error;
    }
    this.#phase = "loaded";
    this.#elf = undefined;
  }

  /**
   * Attaches every loaded (autoload) program by its section's kind: tracepoints,
   * raw_tp, tp_btf, kprobes, fentry/fexit, lsm through bpf_program__attach; uprobes
   * (binary, function, pid from the section or `opts.uprobe`); perf_event (a CPU clock
   * per CPU at `opts.perfEvent.frequency`); xdp (bpf_link, or netlink with flags) and
   * tc (clsact filter) on the interface in `opts`. All or nothing: on failure whatever
   * this call attached is detached again and an {@link AttachError} names the program,
   * the section and (for kinds this kernel refuses) the reason. Everything is detached
   * by close(), TC filters and netlink XDP included. Returns the names of the programs
   * attached (not those left out by {@link preferWorkingTwins}).
   *
   * @example
   * obj.attachAll({ tc: { ifindex: 3, attachPoint: BPF_TC_EGRESS }, uprobe: { pid: 1234 } });
   */
  attachAll(opts: AttachOptions = {}): string[] {
    const lib = libbpf();
    const programs = this.#programPointers("attach programs");
    if (this.#phase !== "loaded") {
      throw new LibbpfError("attach programs", Errno.EINVAL, { detail: "the object is not loaded" });
    }
    if (this.#handle.detachers.length > 0) {
      throw new LibbpfError("attach programs", Errno.EBUSY, { detail: "the programs are already attached" });
    }
    // Until every program is attached, what was attached so far is undone on the way out.
    using undo = new DisposableStack();
    const made: Detacher[] = [];
    const attached: string[] = [];
    for (const prog of programs) {
      if (!lib.bpf_program__autoload(prog)) continue; // e.g. the twin this kernel cannot run
      const name = readCString(lib.bpf_program__name(prog));
      const section = readCString(lib.bpf_program__section_name(prog));
      for (const detach of attachProgram({ prog, name, section }, opts)) {
        undo.defer(detach);
        made.push(detach);
      }
      attached.push(name);
    }
    this.#handle.detachers.push(...made);
    undo.move(); // success: the handle owns the attachments now
    return attached;
  }

  /**
   * Attaches one loaded program, by its C function name, as {@link attachAll} would
   * (used by WebAssembly modules, which attach their programs one at a time). The
   * attachment is undone by close(). Throws {@link LibbpfError} (ENOENT unknown
   * program, EINVAL before load) or {@link AttachError}.
   *
   * @example
   * obj.attach("handle_exec");
   */
  attach(programName: string, opts: AttachOptions = {}): void {
    const op = `attach program '${programName}'`;
    const prog = this.#programPointers(op).find((p) => readCString(libbpf().bpf_program__name(p)) === programName);
    if (!prog) throw new LibbpfError(op, Errno.ENOENT, { detail: "no such program" });
    if (this.#phase !== "loaded") throw new LibbpfError(op, Errno.EINVAL, { detail: "the object is not loaded" });
    const section = readCString(libbpf().bpf_program__section_name(prog));
    this.#handle.detachers.push(...attachProgram({ prog, name: programName, section }, opts));
  }

  /**
   * Detaches everything attached so far (newest first) and keeps the object loaded, its
   * maps and their contents included, so {@link attachAll} can attach again (pause and
   * resume). Idempotent.
   */
  detachAll(): void {
    for (const detach of this.#handle.detachers.splice(0).reverse()) {
      try {
        detach();
      } catch {
        // Keep detaching: one failed detach must not leave the rest attached.
      }
    }
  }

  /**
   * Detaches everything, as {@link detachAll} does, without blocking the JS thread:
   * libbpf links (tracepoints, raw_tp, uprobes, perf events, XDP links...) are destroyed
   * on worker threads, several at once, because closing one waits for an RCU grace period
   * in the kernel (tens of ms each, one after the other when closed in a row); the other
   * attachments (TC filters, netlink XDP) are undone here. Resolves once every link is
   * destroyed, its file descriptors closed; the object stays loaded and can be closed
   * or attached again. Rejects with the first failure after trying every attachment.
   *
   * @example
   * await obj.detachAllAsync(); // the event loop ran meanwhile
   * obj.close();                // quick: nothing attached any more
   */
  async detachAllAsync(): Promise<void> {
    const detachers = this.#handle.detachers.splice(0).reverse();
    const failures: unknown[] = [];
    const offThread: Promise<void>[] = [];
    for (const detach of detachers) {
      if (detach.link !== undefined) {
        offThread.push(destroyLinkOffThread(detach.link));
        continue;
      }
      try {
        detach();
      } catch (error) {
        failures.push(error);
      }
    }
    for (const outcome of await Promise.allSettled(offThread)) {
      if (outcome.status === "rejected") failures.push(outcome.reason);
    }
    if (failures.length > 0) throw failures[0];
  }

  /**
   * The fd of a map (exact name, or a section suffix such as ".bss"); valid until close().
   * Throws {@link LibbpfError}: ENOENT unknown map, EINVAL before load.
   */
  mapFd(name: string): number {
    const op = `map fd of '${name}'`;
    const map = this.#findMap(op, name);
    const fd = libbpf().bpf_map__fd(map);
    // Before load libbpf answers -1 (not an errno): the map simply has no fd yet.
    if (fd < 0) throw new LibbpfError(op, Errno.EINVAL, { detail: "the object is not loaded" });
    return fd;
  }

  /**
   * Reads `length` bytes at `offset` of a global data section's current value in the
   * kernel (after load), e.g. a counter the program updates in `.bss`. `mapName` is
   * matched as in {@link writeSection}. One bpf_map_lookup_elem syscall; the result is a
   * fresh copy (its `.buffer` holds exactly these bytes). Needs CAP_BPF. Throws {@link LibbpfError}: EINVAL before load or for a map
   * that is not a data section, ENOENT unknown map, ERANGE out of bounds.
   *
   * @example
   * const lost = new DataView(obj.readSection(".bss", 8, 8).buffer).getBigUint64(0, true);
   */
  readSection(mapName: string, offset: number, length: number): Uint8Array {
    const op = `read section '${mapName}'`;
    const map = this.#findMap(op, mapName);
    const lib = libbpf();
    const fd = lib.bpf_map__fd(map);
    if (fd < 0) throw new LibbpfError(op, Errno.EINVAL, { detail: "the object is not loaded" });
    const sizeBox = new BigUint64Array(1);
    if (pointerOrNull(lib.bpf_map__initial_value(map, sizeBox)) === null) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: "the map is not a data section" });
    }
    const size = lib.bpf_map__value_size(map);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      throw new LibbpfError(op, Errno.ERANGE, {
        detail: `offset ${offset} + ${length} bytes is outside the section's ${size} bytes`,
      });
    }
    // A data section is a one-element array map: its whole value sits at key 0.
    const value = new Uint8Array(size);
    const rc = lib.bpf_map_lookup_elem(fd, new Uint32Array(1), value);
    if (rc < 0) throw new LibbpfError(op, -rc);
    return value.slice(offset, offset + length);
  }

  /**
   * A {@link BpfMap} for reading and writing map `name` from user space (after load).
   * `name` matches as in {@link mapFd}. The handle works until this object is closed.
   * Throws {@link LibbpfError}: ENOENT unknown map, EINVAL before load, EBADF once closed.
   *
   * @example
   * for (const { key, value } of obj.map("hists").entries()) console.log(key, value);
   */
  map(name: string): BpfMap {
    const op = `map '${name}'`;
    const map = this.#findMap(op, name);
    const lib = libbpf();
    const fd = lib.bpf_map__fd(map);
    if (fd < 0) throw new LibbpfError(op, Errno.EINVAL, { detail: "the object is not loaded" });
    const shape = {
      name: readCString(lib.bpf_map__name(map)),
      fd,
      type: lib.bpf_map__type(map),
      keySize: lib.bpf_map__key_size(map),
      valueSize: lib.bpf_map__value_size(map),
      maxEntries: lib.bpf_map__max_entries(map),
    };
    return new BpfMap(shape, this.name, () => this.#phase !== "closed");
  }

  /** Destroys every link, then closes the object (maps and programs). Idempotent. */
  close(): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#elf = undefined;
    handleBackstop.unregister(this);
    releaseHandle(this.#handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #live(op: string): NativePointer {
    const object = this.#handle.object;
    if (this.#phase === "closed" || object === null) {
      throw new LibbpfError(op, Errno.EBADF, { detail: `object '${this.name}' is closed` });
    }
    return object;
  }

  #programPointers(op: string): NativePointer[] {
    const object = this.#live(op);
    const out: NativePointer[] = [];
    const next = (prev: NativePointer | null) => pointerOrNull(libbpf().bpf_object__next_program(object, prev));
    for (let p = next(null); p !== null; p = next(p)) out.push(p);
    return out;
  }

  #mapPointers(op: string): NativePointer[] {
    const object = this.#live(op);
    const out: NativePointer[] = [];
    const next = (prev: NativePointer | null) => pointerOrNull(libbpf().bpf_object__next_map(object, prev));
    for (let m = next(null); m !== null; m = next(m)) out.push(m);
    return out;
  }

  #findMap(op: string, name: string): NativePointer {
    const maps = this.#mapPointers(op).map((map) => ({ map, mapName: readCString(libbpf().bpf_map__name(map)) }));
    const exact = maps.find((m) => m.mapName === name);
    if (exact) return exact.map;
    // Internal maps are "<obj name prefix>.rodata" etc.: a section name matches as a suffix.
    const bySuffix = name.startsWith(".") ? maps.filter((m) => m.mapName.endsWith(name)) : [];
    if (bySuffix.length === 1) return bySuffix[0].map;
    const names = maps.map((m) => m.mapName).join(", ");
    const detail = bySuffix.length > 1 ? `ambiguous, matches ${names}` : `no such map (maps: ${names || "none"})`;
    throw new LibbpfError(op, Errno.ENOENT, { detail });
  }
}
