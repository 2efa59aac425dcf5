import { describe, expect, test } from "bun:test";
import { RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT, RingWalker } from "./ring-walker.ts";

const PAGE = 4096;
const SIZE = 4096;

/** A fake ring in plain memory, laid out like the kernel's mapping. */
function fakeRing(start = 0) {
  const consumer = new ArrayBuffer(PAGE);
  const producer = new ArrayBuffer(PAGE + 2 * SIZE);
  const cons = new BigUint64Array(consumer, 0, 1);
  const prod = new BigUint64Array(producer, 0, 1);
  cons[0] = prod[0] = BigInt(start);
  const data = new Uint8Array(producer, PAGE);
  // Appends a record the way the kernel would: header then payload, contiguous
  // because the data area is mapped twice in a row.
  const push = (payload: number[], flags = 0) => {
    const pos = Number(prod[0]);
    const off = pos % SIZE;
    const view = new DataView(producer, PAGE);
    view.setUint32(off, (payload.length | flags) >>> 0, true);
    data.set(payload, off + 8);
    prod[0] = BigInt(pos + ((payload.length + 8 + 7) & ~7));
    // Lets a test rewrite the header later, e.g. to commit a busy record.
    return (lengthWord: number) => view.setUint32(off, lengthWord >>> 0, true);
  };
  return { walker: new RingWalker(consumer, producer, PAGE, SIZE), push, cons, prod };
}

describe("RingWalker", () => {
  test("hands over committed records in order and publishes the consumer position", () => {
    const { walker, push, cons, prod } = fakeRing();
    push([1, 2, 3]);
    push([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(walker.pending()).toBe(true);
    const seen: number[][] = [];
    expect(walker.drain((d) => seen.push([...d]))).toBe(2);
    expect(seen).toEqual([[1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    expect(cons[0]).toBe(prod[0]);
    expect(cons[0]).toBe(16n + 24n);
    expect(walker.pending()).toBe(false);
    expect(walker.drain(() => {})).toBe(0);
  });

  test("a limit bounds the batch; the rest waits for the next drain", () => {
    const { walker, push, cons, prod } = fakeRing();
    for (let i = 0; i < 5; i++) push([i]);
    const seen: number[] = [];
    expect(walker.drain((d) => seen.push(d[0]), 2)).toBe(2);
    expect(seen).toEqual([0, 1]);
    expect(cons[0]).toBe(32n);
    expect(walker.drain((d) => seen.push(d[0]), 2)).toBe(2);
    expect(walker.drain((d) => seen.push(d[0]), 2)).toBe(1);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(cons[0]).toBe(prod[0]);
  });

  test("drainInPlace hands the whole area with each record's offset and length", () => {
    const { walker, push } = fakeRing();
    push([7, 8, 9]);
    push([10]);
    const seen: [number, number, number[]][] = [];
    expect(walker.drainInPlace((area, offset, length) => seen.push([offset, length, [...area.subarray(offset, offset + length)]]))).toBe(2);
    expect(seen).toEqual([[PAGE + 8, 3, [7, 8, 9]], [PAGE + 24, 1, [10]]]);
  });

  test("skips discarded records but consumes their space", () => {
    const { walker, push, cons } = fakeRing();
    push([9], RINGBUF_DISCARD_BIT);
    push([7]);
    const seen: number[][] = [];
    expect(walker.drain((d) => seen.push([...d]))).toBe(1);
    expect(seen).toEqual([[7]]);
    expect(cons[0]).toBe(32n);
  });

  test("stops at a busy record and resumes once it is committed", () => {
    const { walker, push, cons } = fakeRing();
    push([1]);
    const setHeader = push([2], RINGBUF_BUSY_BIT);
    const seen: number[] = [];
    expect(walker.drain((d) => seen.push(d[0]))).toBe(1);
    expect(cons[0]).toBe(16n);
    expect(walker.pending()).toBe(true);
    setHeader(1); // the producer commits: length 1, busy bit cleared
    expect(walker.drain((d) => seen.push(d[0]))).toBe(1);
    expect(seen).toEqual([1, 2]);
    expect(cons[0]).toBe(32n);
  });

  test("reads a record that straddles the end of the data area through the second mapping", () => {
    const { walker, push } = fakeRing(SIZE - 16);
    const payload = Array.from({ length: 40 }, (_, i) => i + 1);
    push(payload);
    const seen: number[][] = [];
    expect(walker.drain((d) => seen.push([...d]))).toBe(1);
    expect(seen[0]).toEqual(payload);
  });

  test("positions beyond 2^32 are published exactly", () => {
    const start = 2 ** 32 - 8;
    const { walker, push, cons } = fakeRing(start);
    push([1]);
    push([2]);
    expect(walker.drain(() => {})).toBe(2);
    expect(cons[0]).toBe(BigInt(start + 32));
  });

  test("a throwing callback still consumes its record", () => {
    const { walker, push, cons } = fakeRing();
    push([1]);
    push([2]);
    expect(() =>
      walker.drain(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(cons[0]).toBe(16n);
    const seen: number[] = [];
    expect(walker.drain((d) => seen.push(d[0]))).toBe(1);
    expect(seen).toEqual([2]);
  });
});
