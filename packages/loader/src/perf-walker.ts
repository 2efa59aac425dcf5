/**
 * Walks the records of one perf event ring in memory shaped like the kernel's mapping:
 * a control page (`struct perf_event_mmap_page`: u64 data_head at 1024, written by the
 * kernel; u64 data_tail at 1032, written by us) followed by the data area. Unlike a
 * BPF ring buffer the data area is mapped once, so a record may wrap around its end;
 * such a record is copied into a scratch buffer. Pure JavaScript: no syscalls.
 */

/** Offset of `data_head` in the control page. */
export const PERF_DATA_HEAD_OFFSET = 1024;
/** Offset of `data_tail` in the control page. */
export const PERF_DATA_TAIL_OFFSET = 1032;
/** `PERF_RECORD_LOST`: { header; u64 id; u64 lost }. */
export const PERF_RECORD_LOST = 2;
/** `PERF_RECORD_SAMPLE`; with PERF_SAMPLE_RAW alone: { header; u32 size; u8 data[size] }. */
export const PERF_RECORD_SAMPLE = 9;
/** `struct perf_event_header`: u32 type, u16 misc, u16 size (of the whole record). */
export const PERF_HEADER_BYTES = 8;

const RAW_OFFSET = PERF_HEADER_BYTES + 4; // sample bytes follow the u32 raw size

// A full barrier between reading data_head and reading the records it covers (the
// kernel's smp_rmb): an atomic RMW on a private cell, which the JIT never reorders.
const FENCE_CELL = new Int32Array(new SharedArrayBuffer(4));
function fence(): void {
  Atomics.add(FENCE_CELL, 0, 0);
}

/** Consumes PERF_RECORD_SAMPLE and PERF_RECORD_LOST records of one ring. */
export class PerfWalker {
  readonly #head: BigUint64Array;
  readonly #tail: BigInt64Array;
  readonly #data: Uint8Array;
  readonly #words: Uint32Array;
  readonly #size: number;
  #position: number;
  #scratch = new Uint8Array(256);
  #scratchWords = new Uint32Array(this.#scratch.buffer);
  #lost = 0n;

  /**
   * @param mapping the control page followed by the data area (writable: data_tail)
   * @param dataOffset where the data area starts (the page size)
   * @param size the data area's size in bytes, a power of two
   */
  constructor(mapping: ArrayBuffer, dataOffset: number, size: number) {
    this.#head = new BigUint64Array(mapping, PERF_DATA_HEAD_OFFSET, 1);
    this.#tail = new BigInt64Array(mapping, PERF_DATA_TAIL_OFFSET, 1);
    this.#data = new Uint8Array(mapping, dataOffset, size);
    this.#words = new Uint32Array(mapping, dataOffset, size / 4);
    this.#size = size;
    this.#position = Number(Atomics.load(this.#tail, 0));
  }

  /** Sum of the counts in every PERF_RECORD_LOST consumed so far. */
  get lost(): bigint {
    return this.#lost;
  }

  /** True when the kernel has written past what we consumed. */
  pending(): boolean {
    return Number(this.#head[0]) !== this.#position;
  }

  /**
   * Hands the raw bytes of every sample to `onSample` (a view valid only during the
   * call), adds up lost counts, skips other record types, and publishes data_tail
   * once per batch. A throwing `onSample` still consumes its record.
   * @returns how many samples were handed over
   */
  drain(onSample: (data: Uint8Array, tag: number) => void, tag: number): number {
    let samples = 0;
    for (;;) {
      const head = Number(this.#head[0]);
      fence();
      if (this.#position >= head) return samples;
      try {
        while (this.#position < head) {
          const offset = this.#position % this.#size;
          const length = this.#words[offset / 4 + 1] >>> 16;
          if (length < PERF_HEADER_BYTES || length > head - this.#position) {
            // Not a record we can parse: drop what is there rather than loop forever.
            this.#position = head;
            break;
          }
          this.#position += length;
          const inPlace = offset + length <= this.#size;
          const bytes = inPlace ? this.#data : this.#copyWrapped(offset, length);
          const words = inPlace ? this.#words : this.#scratchWords;
          const start = inPlace ? offset : 0;
          const type = words[start / 4];
          if (type === PERF_RECORD_SAMPLE && length >= RAW_OFFSET) {
            const raw = Math.min(words[start / 4 + 2], length - RAW_OFFSET);
            samples++;
            onSample(new Uint8Array(bytes.buffer, bytes.byteOffset + start + RAW_OFFSET, raw), tag);
          } else if (type === PERF_RECORD_LOST && length >= PERF_HEADER_BYTES + 16) {
            this.#lost += (BigInt(words[start / 4 + 5]) << 32n) | BigInt(words[start / 4 + 4]);
          }
        }
      } finally {
        // Release the space to the kernel (its smp_mb before reading data_tail pairs
        // with this sequentially consistent store).
        Atomics.store(this.#tail, 0, BigInt(this.#position));
      }
    }
  }

  /** Copies a record that runs past the end of the data area into the scratch buffer. */
  #copyWrapped(offset: number, length: number): Uint8Array {
    if (this.#scratch.length < length) {
      let grown = this.#scratch.length;
      while (grown < length) grown *= 2;
      this.#scratch = new Uint8Array(grown);
      this.#scratchWords = new Uint32Array(this.#scratch.buffer);
    }
    const first = this.#size - offset;
    this.#scratch.set(this.#data.subarray(offset), 0);
    this.#scratch.set(this.#data.subarray(0, length - first), first);
    return this.#scratch;
  }
}
