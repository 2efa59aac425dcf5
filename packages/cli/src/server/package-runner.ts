/**
 * Runs a package in-process as a server task: loads and attaches it through the loader,
 * reads its export maps in bounded batches (one batch per turn of the event loop, so a
 * flooding task cannot starve the HTTP server or other tasks), formats events exactly as
 * `ecli run` does, and samples maps with a `sample` config. Stopping does not block the
 * event loop: the kernel takes a grace period to close each link, so the links are
 * destroyed on worker threads, all at once, and `released` resolves when they are gone.
 */
import type { DecodedValue } from "@eunomia/decoder";
import { BpfObject, openObject } from "@eunomia/loader";
import { describeError } from "../describe-error.ts";
import { EventOutput } from "../event-output.ts";
import { exportPlan, type ExportTarget } from "../export-plan.ts";
import { startSampling, type Sampling } from "../sampled-maps.ts";
import { ApiError } from "./api-error.ts";
import type { PackagePlan } from "./package-plan.ts";
import { openRecordStream, type OnRecord, type RecordStream } from "../record-stream.ts";
import type { RunnerSink, RunnerStats, TaskRunner } from "./task-runner.ts";

/** Records per batch: each batch is formatted and handed over before the next is read. */
const BATCH = 1024;
/** Longest wait for records before looking again whether the task was stopped. */
const WAIT_SLICE_MS = 200;
/** A final read-out takes at most this many batches (the program may still be producing). */
const FINAL_BATCHES = 64;

/** One export map being read. */
interface Reading { target: ExportTarget; stream: RecordStream; output: EventOutput; onRecord: OnRecord }

/** What one load of the package holds. */
interface Generation { obj: BpfObject; readings: Reading[]; resources: DisposableStack; attached: boolean; sampling?: Sampling; closed: boolean }

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Set once the C heap is kept warm for loads (a server loads packages again and again). */
let loadMemoryKept = false;

function hexLine(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * A package task. pause() detaches its programs (they stay loaded, maps keep their
 * contents, sampling stops) and resume() attaches them again.
 */
export class PackageRunner implements TaskRunner {
  readonly #plan: PackagePlan;
  readonly #sink: RunnerSink;
  #live: Generation | undefined;
  #events = 0;
  #lostBefore = 0n;
  #stopped = false;
  #released: Promise<void> | undefined;
  /** One text header per task, as one `ecli run` prints one. */
  readonly #outputs = new Map<string, EventOutput>();

  constructor(plan: PackagePlan, sink: RunnerSink) {
    this.#plan = plan;
    this.#sink = sink;
    if (!loadMemoryKept) {
      loadMemoryKept = true;
      BpfObject.keepLoadMemory(); // about halves each load, for about 11 MB more resident memory
    }
  }

  get stats(): RunnerStats {
    return { events: this.#events, lost: Number(this.#lostBefore + this.#liveLost()) };
  }

  start(paused: boolean): void {
    this.#load(paused);
  }

  pause(): void {
    const live = this.#live;
    if (!live?.attached) return;
    live.obj.detachAll();
    live.attached = false;
    live.sampling?.stop(); // its last reading
    live.sampling = undefined;
  }

  resume(): void {
    const live = this.#live;
    if (!live || live.attached) return;
    live.obj.attachAll(this.#plan.attach);
    live.attached = true;
    live.sampling = this.#sample(live.obj);
  }

  /**
   * Begins the release and returns at once: the links are destroyed off the event loop,
   * all at once (each waits out a kernel grace period), while the readers go on reading;
   * once every program is detached the readers are read out to the last event, and the
   * maps, programs and readers released. `released` resolves then.
   */
  stop(): void {
    this.#stopped = true;
    const generation = this.#live;
    if (!generation) return;
    this.#live = undefined;
    generation.sampling?.stop(); // the last reading, before the object closes
    generation.sampling = undefined;
    this.#released = this.#release(generation);
  }

  /** Detaches off the event loop, then reads out and releases; never rejects (failures become warnings). */
  async #release(generation: Generation): Promise<void> {
    try {
      await generation.obj.detachAllAsync();
    } catch (error) {
      this.#sink.warning(`detaching the programs: ${describeError(error)}`);
    }
    try {
      this.#unload(generation);
    } catch (error) {
      this.#sink.warning(`releasing the package: ${describeError(error)}`);
    }
  }

  /** Resolves once stop() has released everything; undefined before stop(). */
  get released(): Promise<void> | undefined {
    return this.#released;
  }

  /** Opens, configures, loads, opens readers, attaches unless `paused`; all or nothing. */
  #load(paused: boolean): void {
    const { pkg, elf, btf, writes, attach } = this.#plan;
    using stack = new DisposableStack();
    const obj = stack.use(openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name }));
    for (const w of writes) obj.writeSection(w.section, w.offset, w.bytes);
    obj.preferWorkingTwins();
    obj.load();
    const targets = exportPlan(pkg.meta, obj.maps(), btf, (line) => this.#sink.warning(line)).filter((t) => t.source !== "sample");
    for (const t of targets) {
      if (typeof t.interpreter === "object") throw new ApiError(422, `map ${t.map}: the ${Object.keys(t.interpreter)[0]} interpreter is not supported by the server (use ecli run)`);
    }
    // Readers before attach: a perf event array drops every sample sent before its buffers exist.
    const readings = targets.map((target) => this.#reading(target, stack.use(openRecordStream(obj, target, elf, btf))));
    if (!paused) obj.attachAll(attach);
    const sampling = paused ? undefined : this.#sample(obj);
    const generation: Generation = { obj, readings, resources: stack.move(), attached: !paused, sampling, closed: false };
    this.#live = generation;
    for (const r of readings) void this.#pump(generation, r);
  }

  /** Reads out what is left, then releases the generation (synchronously: links included). */
  #unload(generation = this.#live): void {
    if (!generation || generation.closed) return;
    if (this.#live === generation) this.#live = undefined;
    generation.closed = true;
    try {
      generation.sampling?.stop(); // the last reading, before the object closes
      for (const r of generation.readings) {
        for (let i = 0; i < FINAL_BATCHES && this.#drainBatch(r) === BATCH; i++);
      }
      this.#lostBefore += this.#lostOf(generation);
    } finally {
      generation.resources.dispose();
    }
  }

  /** Starts sampling the maps with a `sample` config (none: nothing runs). */
  #sample(obj: BpfObject): Sampling {
    return startSampling({
      obj, btf: this.#plan.btf, meta: this.#plan.pkg.meta, mode: this.#plan.mode,
      write: (text) => this.#sink.lines(text.replace(/\n$/, "").split("\n")),
      onError: (error, map) => this.#sink.warning(`sampling map ${map} stopped: ${(error as Error).message}`),
    });
  }

  #reading(target: ExportTarget, stream: RecordStream): Reading {
    let output = this.#outputs.get(target.map);
    if (!output) this.#outputs.set(target.map, (output = new EventOutput(this.#plan.mode, target.fields)));
    const out = output;
    const decode = target.decode;
    if (!decode) return { target, stream, output: out, onRecord: (bytes, offset, length) => out.addLine(hexLine(bytes.subarray(offset, offset + length))) };
    // Variable-length events are decoded with their missing tail read as zeros, as ecli run does.
    const padded = new Uint8Array(target.size);
    const onRecord: OnRecord = (bytes, offset, length) => {
      if (length >= padded.length) return out.add(decode(bytes, offset) as DecodedValue, out.now);
      padded.fill(0);
      padded.set(bytes.subarray(offset, offset + length));
      out.add(decode(padded, 0), out.now);
    };
    return { target, stream, output: out, onRecord };
  }

  /** Reads one bounded batch and hands its lines over; returns how many records it read. */
  #drainBatch(r: Reading): number {
    r.output.now = new Date();
    const n = r.stream.drain(r.onRecord, BATCH);
    this.#events += n;
    const lines = r.output.takeLines();
    if (lines.length > 0) this.#sink.lines(lines);
    return n;
  }

  async #pump(generation: Generation, r: Reading): Promise<void> {
    try {
      while (!generation.closed) {
        const ready = await r.stream.wait(WAIT_SLICE_MS);
        if (generation.closed) return;
        if (ready) {
          this.#drainBatch(r);
          await nextTurn(); // let requests and other tasks run between batches
        }
      }
    } catch (error) {
      if (generation.closed) return;
      // This task's failure stays this task's: release it and report, nothing else stops.
      try {
        this.#stopped = true;
        this.#unload(generation);
      } catch {
        // Releasing is best effort once the task has failed.
      }
      this.#sink.failed(error);
    }
  }

  #lostOf(generation: Generation): bigint {
    let lost = 0n;
    for (const r of generation.readings) lost += r.stream.lost() ?? 0n;
    return lost;
  }

  #liveLost(): bigint {
    if (!this.#live) return 0n;
    try {
      return this.#lostOf(this.#live);
    } catch {
      return 0n;
    }
  }
}
