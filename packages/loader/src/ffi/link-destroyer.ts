/**
 * Destroys libbpf links on worker threads, several at once.
 *
 * Why: closing a tracepoint, kprobe or uprobe link blocks the caller in the kernel for a
 * whole RCU tasks-trace grace period (perf_event_detach_bpf_prog calls
 * synchronize_rcu_tasks_trace(); about 20 to 60 ms on this kernel), one link after the
 * other. The kernel unhooks the program at the start of that close and then only waits
 * for programs still running to finish. Closing the links from several threads at once
 * lets their waits share grace periods, and keeps the JS thread (a server's event loop)
 * free meanwhile.
 *
 * Each worker opens libbpf itself and calls `bpf_link__destroy(link)` (libbpf 1.1: for a
 * perf link, PERF_EVENT_IOC_DISABLE, close of the perf event, close of the link fd, free),
 * which prints nothing, so libbpf's print callback (a JS callback of the main thread) is
 * never called from a worker.
 */
import { libbpf, libbpfPath } from "./libbpf.ts";
import type { NativePointer } from "./memory.ts";
import { ThreadPool, type JobThread } from "./thread-pool.ts";
import { LibbpfError } from "../errors.ts";

/** Links destroyed at once; more wait for a free worker. Each worker costs about 3 MB. */
export const MAX_DESTROYER_THREADS = 8;
/**
 * Links that may wait for a worker; beyond that a link is destroyed on the caller's
 * thread, which slows down a caller that stops programs faster than the kernel lets them
 * go (their programs stay attached until then: a tracepoint takes at most 64).
 */
const MAX_WAITING = 8;
/** A worker idle this long ends. */
const IDLE_MS = 10_000;

/** The worker's answer when it could not open libbpf: the link is untouched. */
const NOT_RUN = "not-run";

function workerSource(path: string): string {
  return `
import { dlopen, FFIType } from "bun:ffi";
let destroy;
try {
  destroy = dlopen(${JSON.stringify(path)}, {
    bpf_link__destroy: { args: [FFIType.ptr], returns: FFIType.i32 },
  }).symbols.bpf_link__destroy;
} catch {}
self.onmessage = (message) => postMessage(destroy ? destroy(message.data) : ${JSON.stringify(NOT_RUN)});
`;
}

const workerUrls = new Map<string, string>();
/** Set once a worker could not open libbpf: later links are destroyed inline. */
let workersCannotOpenLibbpf = false;

/** One worker destroying one link at a time. */
class DestroyerThread implements JobThread<NativePointer> {
  #alive = true;
  readonly #worker: Worker;
  #pending: { resolve: () => void; reject: (error: unknown) => void; link: NativePointer } | undefined;

  constructor() {
    if (workersCannotOpenLibbpf) throw new Error("destroyer threads cannot open libbpf");
    const path = libbpfPath();
    let url = workerUrls.get(path);
    if (url === undefined) {
      url = URL.createObjectURL(new Blob([workerSource(path)], { type: "text/javascript" }));
      workerUrls.set(path, url);
    }
    this.#worker = new Worker(url);
    this.#worker.unref(); // an idle destroyer must not keep the process alive
    this.#worker.addEventListener("message", (event: MessageEvent) => {
      const pending = this.#pending;
      this.#pending = undefined;
      if (!pending) return;
      if (event.data === NOT_RUN) {
        // This worker cannot reach libbpf: destroy here instead, and make no more of them.
        workersCannotOpenLibbpf = true;
        this.#die();
        try {
          libbpf().bpf_link__destroy(pending.link);
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
        return;
      }
      pending.resolve();
    });
    this.#worker.addEventListener("error", (event: ErrorEvent) => {
      const pending = this.#pending;
      this.#pending = undefined;
      this.#die();
      pending?.reject(new LibbpfError("destroy link", 5, { detail: `the destroyer thread failed: ${event.message}` }));
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  run(link: NativePointer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending = { resolve, reject, link };
      this.#worker.postMessage(link);
    });
  }

  end(): void {
    this.#die();
  }

  #die(): void {
    this.#alive = false;
    this.#worker.terminate();
  }
}

let pool: ThreadPool<NativePointer> | undefined;

/**
 * Destroys `link` (a `struct bpf_link *`) on a worker thread; resolves once it is
 * detached and its file descriptors are closed. Calls made together run at once, up to
 * {@link MAX_DESTROYER_THREADS}; when too many already wait, it is destroyed right here. The link must not be used afterwards. Rejects with
 * {@link LibbpfError} if the worker died (the link's state is then unknown).
 */
export function destroyLinkOffThread(link: NativePointer): Promise<void> {
  pool ??= new ThreadPool(() => new DestroyerThread(), (l) => void libbpf().bpf_link__destroy(l), {
    maxThreads: MAX_DESTROYER_THREADS, maxQueued: MAX_WAITING, idleMs: IDLE_MS,
  });
  return pool.submit(link);
}
