/**
 * Reads a BPF_MAP_TYPE_PERF_EVENT_ARRAY the way libbpf's perf_buffer does, but in
 * JavaScript straight from the mmap'd rings: one BPF output perf event per online CPU,
 * put into the map at that CPU's index. No FFI call per event.
 */
import { Errno } from "./errno.ts";
import { LibbpfError } from "./errors.ts";
import { FdPoller } from "./ffi/fd-poller.ts";
import { mapInfoByFd } from "./ffi/map-info.ts";
import { pageSize, PROT_READ, PROT_WRITE, SharedMapping } from "./ffi/mapping.ts";
import { closeFd, disablePerfEvent, enablePerfEvent, openBpfOutputEvent } from "./ffi/perf-event.ts";
import { clearPerfEventSlot, setPerfEventSlot } from "./ffi/perf-event-slot.ts";
import { onlineCpus } from "./online-cpus.ts";
import { PerfWalker } from "./perf-walker.ts";

/** `BPF_MAP_TYPE_PERF_EVENT_ARRAY` from linux/bpf.h. */
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;

/** Options of a {@link PerfBufferReader}. */
export interface PerfBufferOptions {
  /** Data pages of each CPU's ring, a power of two. Default 64 (256 KiB with 4 KiB pages). */
  pagesPerCpu?: number;
}

const DEFAULTS = { pagesPerCpu: 64 } satisfies Required<PerfBufferOptions>;
const MAX_PAGES = 1 << 20;

/** One CPU's ring. */
interface CpuRing {
  cpu: number;
  fd: number;
  walker: PerfWalker;
}

/**
 * Consumer of one perf event array map. For every online CPU below the map's
 * max_entries it opens a PERF_COUNT_SW_BPF_OUTPUT event, maps 1 + `pagesPerCpu` pages
 * of it and puts it into the map at that CPU's index, so the program's
 * `bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, data, size)` lands there.
 *
 * Needs CAP_BPF and CAP_PERFMON (or root). Throws {@link LibbpfError}: EINVAL if
 * `mapFd` is not a perf event array or `pagesPerCpu` is not a power of two, the errno of
 * perf_event_open, mmap or the map update otherwise; nothing is left open then.
 *
 * @example
 * using reader = new PerfBufferReader(obj.mapFd("events"));
 * while (running) {
 *   if (await reader.wait(100)) reader.drain((data, cpu) => handle(data.slice(), cpu));
 * }
 * console.error(`${reader.lost} samples lost`);
 */
export class PerfBufferReader implements Disposable {
  /** The CPUs whose events this reader receives, ascending. */
  readonly cpus: readonly number[];
  readonly #rings: CpuRing[];
  readonly #resources: DisposableStack;
  #poller: FdPoller | undefined;
  #closed = false;

  constructor(mapFd: number, opts: PerfBufferOptions = {}) {
    const op = `perf buffer reader for fd ${mapFd}`;
    const pages = opts.pagesPerCpu ?? DEFAULTS.pagesPerCpu;
    if (!Number.isInteger(pages) || pages < 1 || pages > MAX_PAGES || (pages & (pages - 1)) !== 0) {
      throw new LibbpfError(op, Errno.EINVAL, {
        detail: `pagesPerCpu must be a power of two from 1 to ${MAX_PAGES}, not ${pages}`,
      });
    }
    const info = mapInfoByFd(mapFd);
    if (info.type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
      throw new LibbpfError(op, Errno.EINVAL, {
        detail: `map '${info.name}' has type ${info.type}, not BPF_MAP_TYPE_PERF_EVENT_ARRAY (${BPF_MAP_TYPE_PERF_EVENT_ARRAY})`,
      });
    }
    const cpus = onlineCpus().filter((cpu) => cpu < info.maxEntries);
    if (cpus.length === 0) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: `map '${info.name}' has no slot for an online CPU` });
    }
    const page = pageSize();
    using stack = new DisposableStack();
    const rings: CpuRing[] = [];
    for (const cpu of cpus) {
      const fd = openBpfOutputEvent(cpu);
      stack.defer(() => closeFd(fd));
      const mapping = stack.use(
        new SharedMapping(`perf ring of cpu ${cpu} for map '${info.name}'`, fd, (1 + pages) * page, PROT_READ | PROT_WRITE, 0),
      );
      setPerfEventSlot(mapFd, cpu, fd);
      // Empty the slot on the way out, unless the fd number now names another map.
      stack.defer(() => {
        if (sameMap(mapFd, info.id)) clearPerfEventSlot(mapFd, cpu);
      });
      enablePerfEvent(fd);
      stack.defer(() => disablePerfEvent(fd));
      rings.push({ cpu, fd, walker: new PerfWalker(mapping.buffer, page, pages * page) });
    }
    this.cpus = cpus;
    this.#rings = rings;
    this.#resources = stack.move();
  }

  /** Sum of the counts of every PERF_RECORD_LOST seen so far (samples the kernel dropped because a ring was full). */
  get lost(): bigint {
    let sum = 0n;
    for (const ring of this.#rings) sum += ring.walker.lost;
    return sum;
  }

  /**
   * Consumes every sample of every CPU. `onRecord` gets the sample's raw bytes (a view
   * valid only during the call: copy with `data.slice()` to keep it) and the CPU it came
   * from. The kernel pads raw data so that its 4-byte size plus the data is a multiple of
   * 8: a 32-byte struct arrives as 36 bytes, the last 4 of them left over from earlier
   * records (the kernel skips padding without writing it).
   * Lost-sample records are counted in {@link lost}.
   * @returns the number of samples handed to `onRecord`
   */
  drain(onRecord: (data: Uint8Array, cpu: number) => void): number {
    this.#assertOpen("drain");
    let count = 0;
    for (const ring of this.#rings) count += ring.walker.drain(onRecord, ring.cpu);
    return count;
  }

  /**
   * Resolves true when records may be ready, false after `timeoutMs` (negative or
   * Infinity: no limit) or when close() ends the wait. A Worker does the blocking
   * epoll_wait over every CPU's event, so the JS thread stays free. Throws
   * {@link LibbpfError} once closed.
   */
  async wait(timeoutMs: number): Promise<boolean> {
    this.#assertOpen("wait");
    if (this.#rings.some((ring) => ring.walker.pending())) return true;
    this.#poller ??= new FdPoller(this.#rings.map((ring) => ring.fd));
    return this.#poller.wait(timeoutMs);
  }

  /**
   * Stops the poller, disables the events, empties their map slots, unmaps the rings
   * and closes the events; record views into the rings become empty. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller?.close();
    this.#resources.dispose();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #assertOpen(op: string): void {
    if (this.#closed) {
      throw new LibbpfError(`perf buffer ${op}`, Errno.EBADF, { detail: "the reader is closed" });
    }
  }
}

/** Whether `fd` is still the map with kernel id `id`. */
function sameMap(fd: number, id: number): boolean {
  try {
    return mapInfoByFd(fd).id === id;
  } catch {
    return false; // closed meanwhile: the kernel emptied the slots with the map
  }
}
