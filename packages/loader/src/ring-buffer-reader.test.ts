import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import type { BpfObject } from "./bpf-object.ts";
import { LibbpfError } from "./errors.ts";
import { openObject } from "./open-object.ts";
import { RingBufferReader } from "./ring-buffer-reader.ts";

const NO_SUCH_PID = 0x7fffffff; // the fixture discards records for kill(INT_MAX, 0)
const COOKIE = 0x1122334455667788n;

interface KillEvent { tgid: number; seq: number; target: bigint; sig: bigint; cookie: bigint }

function parse(data: Uint8Array): KillEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    tgid: v.getUint32(0, true),
    seq: v.getUint32(4, true),
    target: v.getBigUint64(8, true),
    sig: v.getBigUint64(16, true),
    cookie: v.getBigUint64(24, true),
  };
}

const cleanup: Disposable[] = [];
afterEach(() => {
  for (const item of cleanup.splice(0).reverse()) item[Symbol.dispose]();
});

/** kill-echo loaded and attached, filtering on `tgid`, with `cookie` in every record. */
function start(tgid: number, cookie = COOKIE): { obj: BpfObject; reader: RingBufferReader } {
  const obj = openObject(compileFixture("kill-echo"), { name: "ldr_kill_echo" });
  cleanup.push(obj);
  const rodata = new Uint8Array(16);
  const view = new DataView(rodata.buffer);
  view.setUint32(0, tgid, true); // const volatile __u32 target_tgid
  view.setBigUint64(8, cookie, true); // const volatile __u64 cookie
  obj.writeSection(".rodata", 0, rodata);
  obj.load();
  obj.attachAll();
  const reader = new RingBufferReader(obj.mapFd("ldr_events"));
  cleanup.push(reader);
  return { obj, reader };
}

function killSelf(times: number): void {
  for (let i = 0; i < times; i++) process.kill(process.pid, 0);
}

function killNobody(): void {
  try {
    process.kill(NO_SUCH_PID, 0);
  } catch {
    // ESRCH is the point: the syscall still happens.
  }
}

describe("RingBufferReader", () => {
  test("reads exactly the N records the program wrote, bytes intact, discarded ones skipped", async () => {
    const { reader } = start(process.pid);
    killSelf(50);
    killNobody(); // takes seq 50, then discarded
    killSelf(50);
    expect(await reader.wait(1000)).toBe(true);
    const events: KillEvent[] = [];
    const lengths = new Set<number>();
    expect(reader.drain((data) => {
      lengths.add(data.length);
      events.push(parse(data));
    })).toBe(100);
    expect([...lengths]).toEqual([32]);
    const seqs = [...Array(50).keys(), ...Array.from({ length: 50 }, (_, i) => i + 51)];
    expect(events.map((e) => e.seq)).toEqual(seqs);
    for (const e of events) {
      expect(e).toEqual({ tgid: process.pid, seq: e.seq, target: BigInt(process.pid), sig: 0n, cookie: COOKIE });
    }
    expect(reader.drain(() => {})).toBe(0);
  });

  test("values written with writeSection change what the program does", async () => {
    const other = start(NO_SUCH_PID - 1, 7n); // a tgid that never exists
    killSelf(20);
    expect(await other.reader.wait(50)).toBe(false);
    expect(other.reader.drain(() => {})).toBe(0);
    other.reader.close();
    other.obj.close();

    const mine = start(process.pid, 7n);
    killSelf(3);
    const cookies: bigint[] = [];
    expect(mine.reader.drain((d) => cookies.push(parse(d).cookie))).toBe(3);
    expect(cookies).toEqual([7n, 7n, 7n]);
  });

  test("many laps around a small ring arrive complete and in order", () => {
    const { reader } = start(process.pid);
    const seqs: number[] = [];
    // 16 KiB ring, 40 bytes per record: 300 per batch wraps the ring every other batch.
    for (let batch = 0; batch < 40; batch++) {
      killSelf(300);
      reader.drain((d) => seqs.push(parse(d).seq));
    }
    expect(seqs.length).toBe(12000);
    expect(seqs.every((seq, i) => seq === i)).toBe(true);
  });

  test("wait() times out with false without blocking the JS thread, and wakes on new data", async () => {
    const { reader } = start(process.pid);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    expect(await reader.wait(200)).toBe(false);
    const waited = performance.now() - t0;
    clearInterval(timer);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(ticks).toBeGreaterThanOrEqual(5);

    setTimeout(() => killSelf(1), 30);
    const t1 = performance.now();
    expect(await reader.wait(5000)).toBe(true);
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(reader.drain(() => {})).toBe(1);
    // Drained: the next wait must not report stale readiness.
    expect(await reader.wait(50)).toBe(false);
  });

  test("an idle wait() sleeps instead of spinning a core", async () => {
    const { reader } = start(process.pid);
    const before = process.cpuUsage();
    for (let i = 0; i < 5; i++) expect(await reader.wait(100)).toBe(false);
    const used = process.cpuUsage(before);
    // 500 ms of waiting; a spinning wait would burn about as much CPU time.
    expect((used.user + used.system) / 1000).toBeLessThan(100);
  });

  test("close() ends a pending wait, is idempotent, and empties kept views", async () => {
    const { reader } = start(process.pid);
    killSelf(1);
    let kept: Uint8Array = new Uint8Array(0);
    reader.drain((d) => {
      kept = d;
    });
    expect(kept.length).toBe(32);
    const pending = reader.wait(-1);
    await Bun.sleep(50);
    const t0 = performance.now();
    reader.close();
    reader.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await pending).toBe(false);
    expect(kept.length).toBe(0);
    expect(() => reader.drain(() => {})).toThrow("ring buffer drain: EBADF (bad file descriptor): the reader is closed");
    await expect(reader.wait(1)).rejects.toBeInstanceOf(LibbpfError);
  });

  test("a map that is not a ring buffer, or no map at all, is a clear error", () => {
    const { obj } = start(process.pid);
    const fd = obj.mapFd(".rodata");
    expect(() => new RingBufferReader(fd)).toThrow(
      `ring buffer reader for fd ${fd}: EINVAL (invalid argument): map 'ldr_kill.rodata' has type 2, not BPF_MAP_TYPE_RINGBUF (27)`,
    );
    // Linux answers EBADF (older kernels) or EBADFD for an fd that is not open.
    expect(() => new RingBufferReader(999_999)).toThrow(/^map info of fd 999999: EBADFD? \(/);
  });

  test("after reader and object are closed the kernel holds none of their objects", async () => {
    const before = kernelObjects("ldr_");
    const { obj, reader } = start(process.pid);
    killSelf(2);
    expect(await reader.wait(100)).toBe(true);
    const during = kernelObjects("ldr_");
    const ours = newSince(before, during);
    expect([ours.progs.length, ours.maps.length, ours.links.length]).toEqual([1, 3, 1]);
    reader.close();
    obj.close();
    // The ring's pages hold a reference to its map: it goes away only if they were unmapped.
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("open/wait/close cycles leak no file descriptor", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const cycle = async () => {
      const { obj, reader } = start(process.pid);
      killSelf(1);
      expect(await reader.wait(10)).toBe(true);
      reader.drain(() => {});
      expect(await reader.wait(10)).toBe(false); // the worker now exists and polls
      reader.close();
      obj.close();
    };
    await cycle();
    const before = fds();
    for (let i = 0; i < 5; i++) await cycle();
    expect(fds()).toBe(before);
  });
});
