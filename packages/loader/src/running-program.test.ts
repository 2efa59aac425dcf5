import { describe, expect, test } from "bun:test";
import { attachMissingPackage, eventEchoPackage, mapOpsPackage } from "../fixtures/fixture-package.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import { AttachError, LibbpfError } from "./errors.ts";
import { openPackage } from "./package-program.ts";
import type { EventRecord } from "./running-program.ts";

function killSelf(times: number, sig = 0): void {
  for (let i = 0; i < times; i++) process.kill(process.pid, sig);
}

async function take(iterator: AsyncIterable<EventRecord>, count: number): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for await (const event of iterator) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

describe("RunningProgram (kernel)", () => {
  test("decodes every event exactly, with the globals set, and releases everything on close", async () => {
    const before = kernelObjects("ldr_");
    const program = await openPackage(eventEchoPackage());
    program.setGlobal("target_tgid", process.pid).setGlobal("tag", "hello");
    const running = program.start();
    const during = newSince(before, kernelObjects("ldr_"));
    expect(during.progs.length).toBe(1);
    expect(during.links.length).toBe(1);
    expect(during.maps.length).toBeGreaterThanOrEqual(3); // ring, .rodata, .bss
    expect(running.exportMap).toEqual({ name: "ldr_echo_events", kind: "ring" });
    killSelf(300);
    const events = await take(running.events({ batchSize: 128, signal: AbortSignal.timeout(5000) }), 300);
    expect(events.length).toBe(300);
    events.forEach((e, i) => {
      expect(e).toEqual({ tgid: process.pid, seq: i, target: BigInt(process.pid), sig: 0n, cookie: 7n, tag: "hello" });
      expect(Object.keys(e)).toEqual(["tgid", "seq", "target", "sig", "cookie", "tag"]);
    });
    expect(running.lost).toBe(0n);
    expect(running.shortRecords).toBe(0);
    // 16 KiB of ring holds 341 records of 40 + 8 header bytes: the rest are counted lost.
    killSelf(400);
    expect(running.lost).toBe(59n);
    const kept = await take(running.events({ signal: AbortSignal.timeout(5000) }), 341);
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: 341 }, (_, i) => 300 + i));
    running.close();
    running.close(); // idempotent
    expect(running.closed).toBe(true);
    expect(running.lost).toBe(59n); // the last count stays readable
    expect(() => running.events()).toThrow("EBADF");
    expect(await remainingAfterRelease(during)).toEqual({ progs: [], maps: [], links: [] });
  }, 15000);

  test("the iterator ends on abort (also while waiting) and the next one resumes where it stopped", async () => {
    const program = await openPackage(eventEchoPackage());
    using running = program.setGlobal("target_tgid", process.pid).setGlobal("cookie", 0xffffffffffffffffn).start();
    const controller = new AbortController();
    const seen: EventRecord[] = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 150);
    for await (const e of running.events({ signal: controller.signal })) seen.push(e);
    const elapsed = performance.now() - started;
    expect(seen).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(400); // ends promptly, not after a poll slice or more
    // Break mid-batch: the rest of the batch is handed out by the next iteration.
    killSelf(10, 0);
    const first = await take(running.events({ batchSize: 4, signal: AbortSignal.timeout(5000) }), 3);
    const rest = await take(running.events({ signal: AbortSignal.timeout(5000) }), 7);
    expect([...first, ...rest].map((e) => e.seq)).toEqual([...Array(10).keys()]);
    expect(rest[0].cookie).toBe(18446744073709551615n);
    // One iteration at a time.
    const a = running.events({ signal: AbortSignal.timeout(5000) });
    const pending = a.next();
    expect(() => running.events()).toThrow("EBUSY");
    running.close(); // ends the waiting iteration
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  test("close() ends an iteration blocked in wait", async () => {
    const program = await openPackage(eventEchoPackage());
    const running = program.setGlobal("target_tgid", process.pid).start();
    setTimeout(() => running.close(), 100);
    const started = performance.now();
    const seen = await take(running.events(), 1);
    expect(seen).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(running.closed).toBe(true);
  });

  test("readMap decodes keys and values by BTF; events() needs an export map", async () => {
    const before = kernelObjects("ldr_");
    const program = await openPackage(mapOpsPackage());
    program.setGlobal("target_tgid", process.pid);
    let ids;
    {
      using running = program.start();
      ids = newSince(before, kernelObjects("ldr_"));
      killSelf(3, 0);
      process.kill(process.pid, "SIGURG"); // 23: ignored by default
      const entries = running.readMap("ldr_kills").sort((x, y) => Number((x.key as { sig: number }).sig) - Number((y.key as { sig: number }).sig));
      expect(entries).toEqual([
        { key: { tgid: process.pid, sig: 0 }, value: 3n },
        { key: { tgid: process.pid, sig: 23 }, value: 1n },
      ]);
      const percpu = running.readMap("ldr_percpu");
      expect(percpu.map((e) => e.key)).toEqual([0, 1]);
      const slot0 = percpu[0].value as { a: number; b: number; c: number }[];
      expect(slot0.reduce((sum, v) => sum + v.a, 0)).toBe(4);
      expect(running.map("ldr_kills").keySize).toBe(8);
      expect(() => running.events()).toThrow("ENOENT");
      expect(() => running.readMap("nope")).toThrow(LibbpfError);
      expect(running.lost).toBeUndefined();
    }
    expect(await remainingAfterRelease(ids)).toEqual({ progs: [], maps: [], links: [] });
  });
});

describe("RunningProgram over a perf event array (kernel)", () => {
  test("decodes every sample exactly (padding ignored) and releases everything", async () => {
    const before = kernelObjects("ldr_");
    const program = await openPackage(eventEchoPackage("perf-event-echo"));
    const running = program.setGlobal("target_tgid", process.pid).setGlobal("tag", "perf").start();
    const ids = newSince(before, kernelObjects("ldr_"));
    expect(running.exportMap).toEqual({ name: "ldr_echo_events", kind: "perf" });
    killSelf(50);
    const events = await take(running.events({ signal: AbortSignal.timeout(5000) }), 50);
    expect(events).toEqual(Array.from({ length: 50 }, (_, i) => (
      { tgid: process.pid, seq: i, target: BigInt(process.pid), sig: 0n, cookie: 7n, tag: "perf" })));
    expect(running.lost).toBe(0n);
    expect(running.shortRecords).toBe(0);
    running.close();
    running.close();
    expect(await remainingAfterRelease(ids)).toEqual({ progs: [], maps: [], links: [] });
  }, 15000);
});

describe("PackageProgram.start failing half-way", () => {
  test("an attach failure or a bad reader option leaves nothing in the kernel", async () => {
    const missing = await openPackage(attachMissingPackage());
    const attach = (() => { try { missing.start(); } catch (e) { return e; } })();
    expect(attach).toBeInstanceOf(AttachError);
    expect((attach as Error).message).toContain("ldr_attach_bad");
    const perf = await openPackage(eventEchoPackage("perf-event-echo"));
    // Fails after load, before attach: the loaded object must be closed again.
    expect(() => perf.start({ perfPagesPerCpu: 3 })).toThrow("EINVAL");
    const left = () => [...kernelObjects("ldr_attach").progs, ...kernelObjects("ldr_event_echo").progs];
    for (let i = 0; i < 150 && left().length > 0; i++) await Bun.sleep(20);
    expect(left()).toEqual([]);
  }, 15000);
});
