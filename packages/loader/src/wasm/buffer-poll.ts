/**
 * `wasm_bpf_buffer_poll`'s consumer: a ring buffer or perf event array of a module's
 * object, waited on synchronously, each record handed to a delivery function.
 */
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY, PerfBufferReader } from "../perf-buffer-reader.ts";
import { BPF_MAP_TYPE_RINGBUF, RingBufferReader } from "../ring-buffer-reader.ts";
import type { Interruption } from "./interruption.ts";

/** Receives one record (a view valid only during the call). */
export type Deliver = (record: Uint8Array) => void;

// A perf event array has one fd per CPU and no single fd to wait on: look every few ms.
const PERF_SLICE_MS = 5;

/** Waits up to `timeoutMs` for records and delivers them; returns how many, or "interrupted". */
export interface BufferPoll extends Disposable {
  /** Blocks the thread while waiting (inside a module's callback, or without JSPI). */
  poll(timeoutMs: number, deliver: Deliver): number | "interrupted";
  /** Delivers what is there now, without waiting. */
  drain(deliver: Deliver): number;
  /** Resolves true when records may be there, false after `timeoutMs`; never blocks the thread. */
  wait(timeoutMs: number): Promise<boolean>;
}

/** A poller for map `fd` of type `mapType`, or undefined for a map that is neither a ring nor perf buffer. */
export function openBufferPoll(fd: number, mapType: number, interruption: Interruption): BufferPoll | undefined {
  if (mapType === BPF_MAP_TYPE_RINGBUF) {
    const reader = new RingBufferReader(fd);
    const drain = (deliver: Deliver) => reader.drainInPlace((area, offset, length) => deliver(area.subarray(offset, offset + length)));
    return {
      poll(timeoutMs, deliver) {
        const n = drain(deliver);
        if (n > 0) return n;
        const waited = interruption.waitFd(fd, timeoutMs);
        if (waited === "interrupted") return "interrupted";
        return waited === "ready" ? drain(deliver) : 0;
      },
      drain,
      wait: (ms) => reader.wait(ms),
      [Symbol.dispose]: () => reader.close(),
    };
  }
  if (mapType === BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
    const reader = new PerfBufferReader(fd);
    return {
      poll(timeoutMs, deliver) {
        const deadline = performance.now() + Math.max(0, timeoutMs);
        for (;;) {
          const n = reader.drain((data) => deliver(data));
          if (n > 0) return n;
          const left = deadline - performance.now();
          if (left <= 0) return 0;
          if (!interruption.sleep(Math.min(PERF_SLICE_MS, left))) return "interrupted";
        }
      },
      drain: (deliver) => reader.drain((data) => deliver(data)),
      wait: (ms) => reader.wait(ms),
      [Symbol.dispose]: () => reader.close(),
    };
  }
  return undefined;
}
