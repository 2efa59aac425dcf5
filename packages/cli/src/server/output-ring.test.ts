import { describe, expect, test } from "bun:test";
import { OutputRing } from "./output-ring.ts";

describe("OutputRing", () => {
  test("reads lines from a cursor and says where to go on", () => {
    const ring = new OutputRing(4);
    ring.push(["a", "b", "c"]);
    expect(ring.read(0)).toEqual({ lines: ["a", "b", "c"], next: 3, missed: 0 });
    expect(ring.read(1, 1)).toEqual({ lines: ["b"], next: 2, missed: 0 });
    expect(ring.read(3)).toEqual({ lines: [], next: 3, missed: 0 });
    expect(ring.read(99)).toEqual({ lines: [], next: 3, missed: 0 });
  });

  test("a full ring drops its oldest lines, counts them, and tells a late reader what it missed", () => {
    const ring = new OutputRing(3);
    ring.push(["1", "2", "3", "4", "5"]);
    ring.push(["6"]);
    expect(ring.dropped).toBe(3);
    expect(ring.first).toBe(3);
    expect(ring.end).toBe(6);
    expect(ring.read(0)).toEqual({ lines: ["4", "5", "6"], next: 6, missed: 3 });
    expect(ring.read(4)).toEqual({ lines: ["5", "6"], next: 6, missed: 0 });
  });

  test("a follower wakes on new lines and on close", async () => {
    const ring = new OutputRing(8);
    let woke = false;
    const waiting = ring.waitBeyond(0).then(() => (woke = true));
    await Bun.sleep(5);
    expect(woke).toBe(false);
    ring.push(["x"]);
    await waiting;
    expect(woke).toBe(true);
    const closing = ring.waitBeyond(1);
    ring.close();
    await closing;
    expect(ring.closed).toBe(true);
    ring.push(["ignored"]);
    expect(ring.end).toBe(1);
  });

  test("an aborted wait resolves and leaves no waiter behind", async () => {
    const ring = new OutputRing(2);
    const controller = new AbortController();
    const waiting = ring.waitBeyond(0, controller.signal);
    controller.abort();
    await waiting;
    expect(() => new OutputRing(0)).toThrow("positive integer");
  });
});
