/**
 * Walks BPF ring buffer records in memory shaped like the kernel's mapping: a
 * consumer page (u64 consumer_pos at offset 0, writable by us) and a producer area
 * (u64 producer_pos at offset 0, the data pages from `dataOffset`, mapped twice in a
 * row so a record never wraps). Pure JavaScript over ArrayBuffers: no syscalls.
 */

/** Set in a record's length word while the producer is still writing it. */
export const RINGBUF_BUSY_BIT = 0x80000000;
/** Set in a record's length word when the producer discarded it. */
export const RINGBUF_DISCARD_BIT = 0x40000000;
/** Record header: u32 length (with the two bits above) and u32 page offset. */
export const RINGBUF_HEADER_BYTES = 8;

const TWO_32 = 2 ** 32;

// The producer pages are mapped read-only, and JSC's optimizing JIT lowers
// Atomics.load to a locked read-modify-write, which faults there. So the producer
// side is read with plain loads followed by this fence: an atomic RMW on a private
// shared cell, a full barrier on the CPU that the JIT also never moves loads across.
const FENCE_CELL = new Int32Array(new SharedArrayBuffer(4));
function fence(): void {
  Atomics.add(FENCE_CELL, 0, 0);
}

/** Consumes records from one ring buffer's memory. */
export class RingWalker {
  readonly #consumer32: Int32Array;
  readonly #consumer64: BigInt64Array;
  readonly #producer64: BigInt64Array;
  readonly #data32: Int32Array;
  readonly #area: ArrayBuffer;
  readonly #dataOffset: number;
  readonly #size: number;
  #high = -1;
  #bytes: Uint8Array | undefined;

  /**
   * @param consumerPage the consumer page (at least 8 bytes)
   * @param producerArea the producer page followed by the data area mapped twice
   * @param dataOffset where the data area starts in `producerArea` (the page size)
   * @param size the data area size: the map's max_entries, a power of two
   */
  constructor(consumerPage: ArrayBuffer, producerArea: ArrayBuffer, dataOffset: number, size: number) {
    this.#consumer32 = new Int32Array(consumerPage, 0, 2);
    this.#consumer64 = new BigInt64Array(consumerPage, 0, 1);
    this.#producer64 = new BigInt64Array(producerArea, 0, 1);
    this.#data32 = new Int32Array(producerArea, dataOffset, (2 * size) / 4);
    this.#area = producerArea;
    this.#dataOffset = dataOffset;
    this.#size = size;
  }

  /** True when the producer is ahead of the consumer (a record, maybe still busy, is there). */
  pending(): boolean {
    const producer = this.#producer64[0];
    fence();
    return producer !== Atomics.load(this.#consumer64, 0);
  }

  /**
   * Hands committed records to `onRecord` (a view valid only during the call), at most
   * `limit` of them, skips discarded ones, stops at a busy one, and publishes the consumer
   * position after each record so the producer can reuse the space at once.
   * @returns how many records were handed over
   */
  drain(onRecord: (data: Uint8Array) => void, limit = Infinity): number {
    const area = this.#area;
    return this.#walk((offset, length) => onRecord(new Uint8Array(area, offset, length)), limit);
  }

  /**
   * Like {@link drain} without a view per record: `onRecord` gets the whole mapped area
   * and the record's offset and length in it (valid only during the call). The hot path
   * of a consumer that decodes in place.
   */
  drainInPlace(onRecord: (area: Uint8Array, offset: number, length: number) => void, limit = Infinity): number {
    const bytes = (this.#bytes ??= new Uint8Array(this.#area));
    return this.#walk((offset, length) => onRecord(bytes, offset, length), limit);
  }

  #walk(onRecord: (offset: number, length: number) => void, limit: number): number {
    let consumed = 0;
    let position = Number(Atomics.load(this.#consumer64, 0));
    while (consumed < limit) {
      const producer = Number(this.#producer64[0]);
      fence();
      if (position >= producer) return consumed;
      while (position < producer && consumed < limit) {
        const offset = position % this.#size;
        const header = this.#data32[offset / 4];
        fence(); // acquire: the record's bytes are read only after its header
        if (header & RINGBUF_BUSY_BIT) return consumed;
        const length = header & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT);
        const next = position + ((length + RINGBUF_HEADER_BYTES + 7) & ~7);
        if (header & RINGBUF_DISCARD_BIT) {
          this.#publish(next);
        } else {
          try {
            onRecord(this.#dataOffset + offset + RINGBUF_HEADER_BYTES, length);
            consumed++;
          } finally {
            this.#publish(next);
          }
        }
        position = next;
      }
    }
    return consumed;
  }

  #publish(position: number): void {
    const high = Math.floor(position / TWO_32);
    if (high === this.#high) {
      // Same upper half: a 32-bit store of the lower half is atomic and exact.
      Atomics.store(this.#consumer32, 0, position % TWO_32 | 0);
    } else {
      Atomics.store(this.#consumer64, 0, BigInt(position));
      this.#high = high;
    }
  }
}
