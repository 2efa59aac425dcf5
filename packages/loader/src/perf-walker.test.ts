import { describe, expect, test } from "bun:test";
import {
  PERF_DATA_HEAD_OFFSET,
  PERF_DATA_TAIL_OFFSET,
  PERF_HEADER_BYTES,
  PERF_RECORD_LOST,
  PERF_RECORD_SAMPLE,
  PerfWalker,
} from "./perf-walker.ts";

const PAGE = 4096;
const SIZE = 256; // a small data area, so records wrap often

/** Memory shaped like a perf mmap, with a producer that writes records as the kernel does. */
class FakeRing {
  readonly memory = new ArrayBuffer(PAGE + SIZE);
  readonly #control = new DataView(this.memory, 0, PAGE);
  readonly #data = new Uint8Array(this.memory, PAGE, SIZE);
  head = 0;

  get tail(): number {
    return Number(this.#control.getBigUint64(PERF_DATA_TAIL_OFFSET, true));
  }

  /** Writes one record at head (wrapping byte by byte) and publishes the new head. */
  record(type: number, body: Uint8Array): void {
    const length = PERF_HEADER_BYTES + body.length;
    if (length % 8 !== 0) throw new Error("records are 8-byte multiples");
    if (this.head + length - this.tail > SIZE) throw new Error("fake ring full");
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, type, true);
    view.setUint16(4, 0, true);
    view.setUint16(6, length, true);
    bytes.set(body, PERF_HEADER_BYTES);
    for (let i = 0; i < length; i++) this.#data[(this.head + i) % SIZE] = bytes[i];
    this.head += length;
    this.#control.setBigUint64(PERF_DATA_HEAD_OFFSET, BigInt(this.head), true);
  }

  /** A PERF_RECORD_SAMPLE with raw `data`, padded as the kernel pads it. */
  sample(data: Uint8Array): void {
    const body = new Uint8Array((4 + data.length + 7) & ~7);
    new DataView(body.buffer).setUint32(0, body.length - 4, true);
    body.set(data, 4);
    this.record(PERF_RECORD_SAMPLE, body);
  }

  lost(id: bigint, count: bigint): void {
    const body = new Uint8Array(16);
    new DataView(body.buffer).setBigUint64(0, id, true);
    new DataView(body.buffer).setBigUint64(8, count, true);
    this.record(PERF_RECORD_LOST, body);
  }
}

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i) & 0xff);
}

function collect(walker: PerfWalker): Uint8Array[] {
  const out: Uint8Array[] = [];
  walker.drain((data) => out.push(data.slice()), 0);
  return out;
}

describe("PerfWalker", () => {
  test("hands over samples in order with their padded raw bytes and publishes data_tail", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    expect(walker.pending()).toBe(false);
    ring.sample(bytes(4, 1)); // 4 + 4: no padding
    ring.sample(bytes(5, 2)); // 4 + 5 rounds up to 16: 12 raw bytes, the last 7 zero
    expect(walker.pending()).toBe(true);
    const tags: number[] = [];
    const seen: Uint8Array[] = [];
    expect(walker.drain((data, tag) => {
      tags.push(tag);
      seen.push(data.slice());
    }, 7)).toBe(2);
    expect(seen).toEqual([bytes(4, 1), new Uint8Array([...bytes(5, 2), 0, 0, 0, 0, 0, 0, 0])]);
    expect(tags).toEqual([7, 7]);
    expect(ring.tail).toBe(ring.head);
    expect(walker.pending()).toBe(false);
    expect(walker.drain(() => {}, 0)).toBe(0);
  });

  test("records that wrap around the end of the data area arrive intact, at every split", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    const sent: Uint8Array[] = [];
    const got: Uint8Array[] = [];
    // Sizes 4..99 step through every 8-byte split point many laps around the 256-byte area.
    for (let i = 0; i < 400; i++) {
      const data = bytes(4 + ((i * 13) % 96), i);
      const padded = new Uint8Array((4 + data.length + 7 & ~7) - 4);
      padded.set(data);
      sent.push(padded);
      ring.sample(data);
      if (i % 2 === 1) got.push(...collect(walker));
    }
    got.push(...collect(walker));
    expect(got.length).toBe(400);
    expect(got).toEqual(sent);
    expect(ring.head).toBeGreaterThan(SIZE * 50);
  });

  test("a record whose header sits in the last 8 bytes wraps entirely into the scratch copy", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    ring.sample(bytes(SIZE - 8 - 12, 3)); // ends 8 bytes before the end
    expect(collect(walker)).toEqual([bytes(SIZE - 20, 3)]);
    ring.sample(bytes(60, 4)); // header at SIZE-8, body from offset 0
    expect(collect(walker)).toEqual([bytes(60, 4)]);
  });

  test("PERF_RECORD_LOST counts add up (64-bit exact) and are not handed over as samples", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    ring.sample(bytes(4, 1));
    ring.lost(1n, 5n);
    ring.sample(bytes(4, 2));
    ring.lost(1n, 0x1_0000_0003n);
    expect(collect(walker)).toEqual([bytes(4, 1), bytes(4, 2)]);
    expect(walker.lost).toBe(0x1_0000_0008n);
  });

  test("other record types are skipped", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    ring.record(5, new Uint8Array(24)); // PERF_RECORD_THROTTLE
    ring.sample(bytes(4, 9));
    expect(collect(walker)).toEqual([bytes(4, 9)]);
    expect(walker.lost).toBe(0n);
    expect(ring.tail).toBe(ring.head);
  });

  test("a throwing callback still consumes its record, so the ring cannot wedge", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    ring.sample(bytes(4, 1));
    ring.sample(bytes(4, 2));
    expect(() => walker.drain(() => {
      throw new Error("boom");
    }, 0)).toThrow("boom");
    expect(collect(walker)).toEqual([bytes(4, 2)]);
    expect(ring.tail).toBe(ring.head);
  });

  test("a corrupt record length drops what is there instead of looping", () => {
    const ring = new FakeRing();
    const walker = new PerfWalker(ring.memory, PAGE, SIZE);
    ring.sample(bytes(4, 1));
    new DataView(ring.memory, PAGE).setUint16(6, 0, true); // size 0
    expect(collect(walker)).toEqual([]);
    expect(ring.tail).toBe(ring.head);
    ring.sample(bytes(4, 2));
    expect(collect(walker)).toEqual([bytes(4, 2)]);
  });

  test("starts from the data_tail already in the page", () => {
    const ring = new FakeRing();
    ring.sample(bytes(4, 1));
    new DataView(ring.memory).setBigUint64(PERF_DATA_TAIL_OFFSET, BigInt(ring.head), true);
    ring.sample(bytes(4, 2));
    expect(collect(new PerfWalker(ring.memory, PAGE, SIZE))).toEqual([bytes(4, 2)]);
  });
});
