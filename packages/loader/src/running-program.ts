/**
 * A started package: its object loaded and attached, its export map's reader open.
 * Events come out of an async iterator in bounded batches; maps read decoded by BTF.
 */
import { createDecoder, mapBtfTypes, type DecodedValue, type Decoder, type Elf } from "@eunomia/decoder";
import type { BpfMap } from "./bpf-map.ts";
import type { BpfObject } from "./bpf-object.ts";
import { Errno } from "./errno.ts";
import { LibbpfError } from "./errors.ts";
import { exportMap } from "./export-target.ts";
import { openObject } from "./open-object.ts";
import type { PackageProgram, StartOptions } from "./package-program.ts";
import { PerfBufferReader } from "./perf-buffer-reader.ts";
import { lostCounterPlace } from "./lost-counter.ts";
import { RingBufferReader } from "./ring-buffer-reader.ts";

/** A decoded event: the export struct's fields in declaration order. */
export type EventRecord = { [field: string]: DecodedValue };

/** One decoded map entry; per-CPU maps give `value` as an array with one value per possible CPU. */
export interface MapEntry {
  key: DecodedValue;
  value: DecodedValue;
}

/** Options of {@link RunningProgram.events}. */
export interface EventsOptions {
  /** Ends the iteration (promptly, also while waiting). */
  signal?: AbortSignal;
  /** Most ring buffer records taken per batch (default 256). A perf batch is what the rings hold. */
  batchSize?: number;
  /**
   * Milliseconds to wait after a wake-up before reading (default 0): a busy buffer is then
   * read in fewer, larger batches, for less CPU per event, at the cost of that latency
   * (the exporter uses it; keep it well under the time the buffer takes to fill).
   */
  coalesceMs?: number;
}

/** @internal What PackageProgram.start hands over. */
export interface RunningInit {
  program: PackageProgram;
  elf: Elf;
  decoder: Decoder | undefined;
  writes: { section: string; offset: number; bytes: Uint8Array }[];
  opts: StartOptions;
}

const WAIT_SLICE_MS = 250;
const DEFAULT_BATCH = 256;

/**
 * A package running in the kernel. Disposable: `close()` (idempotent) detaches every
 * program and releases every map, program, link and reader; an iteration in progress ends.
 *
 * @example
 * using running = program.start();
 * for await (const event of running.events({ signal })) console.log(event.pid);
 * console.log(running.lost, running.readMap("exec_start"));
 */
export class RunningProgram implements Disposable {
  /** The live libbpf object (for lower-level use: `programs()`, `maps()`, `readSection()`). */
  readonly object: BpfObject;
  /** The map events come from, if the package has one. */
  readonly exportMap?: { name: string; kind: "ring" | "perf" };
  /**
   * Records shorter than the export type (variable-length events, as libbpf-tools'
   * execsnoop sends): {@link events} decodes them with the missing tail read as zeros,
   * as `ecli run` does, and counts them here.
   */
  shortRecords = 0;
  readonly #program: PackageProgram;
  readonly #decoder: Decoder | undefined;
  readonly #reader: RingBufferReader | PerfBufferReader | undefined;
  readonly #resources: DisposableStack;
  readonly #lostPlace: { section: string; offset: number } | undefined;
  #lastLost: bigint | undefined;
  #batch: EventRecord[] = [];
  #head = 0;
  #iterating = false;
  #closed = false;

  /** @internal Use {@link PackageProgram.start}. */
  constructor(init: RunningInit) {
    const { program, opts } = init;
    using stack = new DisposableStack();
    const obj = stack.use(openObject(program.object, { name: program.name }));
    for (const w of init.writes) obj.writeSection(w.section, w.offset, w.bytes);
    if (opts.preferWorkingTwins !== false) obj.preferWorkingTwins(opts.onNotice);
    obj.load();
    const target = exportMap(program.meta, obj.maps());
    // Readers before attach: a perf event array drops samples sent before its buffers exist.
    if (target) {
      const fd = obj.mapFd(target.name);
      this.#reader = stack.use(target.kind === "ring" ? new RingBufferReader(fd) : new PerfBufferReader(fd, { pagesPerCpu: opts.perfPagesPerCpu }));
      this.exportMap = target;
    }
    obj.attachAll(opts.attach ?? {});
    this.#lostPlace = lostCounterPlace(init.elf, program.btf);
    this.object = obj;
    this.#program = program;
    this.#decoder = init.decoder;
    this.#resources = stack.move();
  }

  /**
   * Events lost so far: a perf buffer's PERF_RECORD_LOST counts, or for a ring buffer the
   * program's `eunomia_lost_events` counter; undefined when the program keeps none.
   * After close() the last value read.
   */
  get lost(): bigint | undefined {
    if (this.#closed) return this.#lastLost;
    if (this.#reader instanceof PerfBufferReader) this.#lastLost = this.#reader.lost;
    else if (this.#lostPlace) {
      const bytes = this.object.readSection(this.#lostPlace.section, this.#lostPlace.offset, 8);
      this.#lastLost = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    }
    return this.#lastLost;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Decoded events from the export map, by the package's first export type, read in
   * bounded batches. Ends when `signal` aborts or the program is closed; events read but
   * not yet handed out when an iteration ends are handed out by the next one. One
   * iteration at a time. Throws {@link LibbpfError}: ENOENT without an export map or
   * export type, EBUSY while another iteration runs, EBADF once closed.
   *
   * @example
   * for await (const e of running.events({ signal: AbortSignal.timeout(1000) })) console.log(e);
   */
  events(opts: EventsOptions = {}): AsyncGenerator<EventRecord, void, undefined> {
    const op = `read events of '${this.#program.name}'`;
    if (this.#closed) throw new LibbpfError(op, Errno.EBADF, { detail: "the program is closed" });
    if (!this.#reader) throw new LibbpfError(op, Errno.ENOENT, { detail: "the package has no ring buffer or perf event array to export" });
    if (!this.#decoder) throw new LibbpfError(op, Errno.ENOENT, { detail: "the package declares no export type" });
    if (this.#iterating) throw new LibbpfError(op, Errno.EBUSY, { detail: "another iteration of events() is running" });
    const batchSize = opts.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new LibbpfError(op, Errno.EINVAL, { detail: `batchSize must be a positive integer, not ${batchSize}` });
    const coalesceMs = opts.coalesceMs ?? 0;
    if (!(coalesceMs >= 0)) throw new LibbpfError(op, Errno.EINVAL, { detail: `coalesceMs must be a non-negative number, not ${coalesceMs}` });
    this.#iterating = true;
    return this.#iterate(this.#reader, this.#decoder, batchSize, opts.signal, coalesceMs);
  }

  async *#iterate(reader: RingBufferReader | PerfBufferReader, decode: Decoder, batchSize: number, signal: AbortSignal | undefined, coalesceMs: number): AsyncGenerator<EventRecord, void, undefined> {
    let onAbort: (() => void) | undefined;
    const aborted = signal && new Promise<false>((resolve) => {
      onAbort = () => resolve(false);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const stop = () => this.#closed || signal?.aborted === true;
    try {
      for (;;) {
        while (this.#head < this.#batch.length) {
          if (stop()) return;
          yield this.#batch[this.#head++];
        }
        if (stop()) return;
        const wait = reader.wait(WAIT_SLICE_MS);
        const ready = await (aborted ? Promise.race([wait, aborted]) : wait);
        if (ready && coalesceMs > 0) await Bun.sleep(coalesceMs);
        if (stop()) return;
        if (ready) this.#fill(reader, decode, batchSize);
      }
    } finally {
      this.#iterating = false;
      if (onAbort) signal!.removeEventListener("abort", onAbort);
    }
  }

  /** Reads one bounded batch into the queue. */
  #fill(reader: RingBufferReader | PerfBufferReader, decode: Decoder, batchSize: number): void {
    const batch: EventRecord[] = [];
    const size = decode.size;
    const take = (bytes: Uint8Array, offset: number, length: number) => {
      if (length >= size) return void batch.push(decode(bytes, offset) as EventRecord);
      this.shortRecords++;
      const padded = new Uint8Array(size);
      padded.set(bytes.subarray(offset, offset + length));
      batch.push(decode(padded, 0) as EventRecord);
    };
    if (reader instanceof RingBufferReader) reader.drainInPlace(take, batchSize);
    else reader.drain((data) => take(data, 0, data.length));
    this.#batch = batch;
    this.#head = 0;
  }

  /** The raw {@link BpfMap} `name` (exact name, or a section suffix like ".bss"). Throws {@link LibbpfError}. */
  map(name: string): BpfMap {
    return this.object.map(name);
  }

  /**
   * Every entry of map `name`, key and value decoded by the map's BTF types
   * (`__type(key, ...)`, `__type(value, ...)`); per-CPU values as one value per CPU.
   * Throws {@link LibbpfError}: ENOENT unknown map, EINVAL when the map declares no
   * BTF key or value type (use {@link map} for raw bytes), EBADF once closed.
   *
   * @example
   * for (const { key, value } of running.readMap("counts")) console.log(key, value);
   */
  readMap(name: string): MapEntry[] {
    const map = this.object.map(name);
    const { keyTypeId, valueTypeId } = mapBtfTypes(this.#program.btf, map.name) ?? {};
    if (keyTypeId === undefined || valueTypeId === undefined) {
      throw new LibbpfError(`read map '${map.name}'`, Errno.EINVAL, { detail: "the map declares no BTF key and value types (use map() for raw bytes)" });
    }
    const key = createDecoder(this.#program.btf, keyTypeId);
    const value = createDecoder(this.#program.btf, valueTypeId);
    return map.entries().map((e) => ({
      key: key(e.key),
      value: map.perCpu ? map.cpuValues(e.value).map((v) => value(v)) : value(e.value),
    }));
  }

  /** Detaches every program and releases the reader, maps and programs. Idempotent. */
  close(): void {
    if (this.#closed) return;
    try {
      void this.lost; // keep the last count readable after close
    } catch {
      // The count is a courtesy; releasing must go on.
    }
    this.#closed = true;
    this.#batch = [];
    this.#head = 0;
    this.#resources.dispose();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
