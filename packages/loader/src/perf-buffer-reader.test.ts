import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import type { BpfObject } from "./bpf-object.ts";
import { LibbpfError } from "./errors.ts";
import { onlineCpus } from "./online-cpus.ts";
import { openObject } from "./open-object.ts";
import { PerfBufferReader, type PerfBufferOptions } from "./perf-buffer-reader.ts";

const COOKIE = 0x1122334455667788n;
const EXTRA_SIG_BASE = 1000; // kill(pid, 1000 + n): the fixture sends n payload bytes
const HEAD_BYTES = 32; // struct event without its payload
const PAGE = 4096;

interface PerfEvent {
  tgid: number;
  seq: number;
  cpu: number;
  extra: number;
  sig: bigint;
  cookie: bigint;
  payload: Uint8Array;
  padding: Uint8Array;
}

function parse(data: Uint8Array): PerfEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const extra = v.getUint32(12, true);
  return {
    tgid: v.getUint32(0, true),
    seq: v.getUint32(4, true),
    cpu: v.getUint32(8, true),
    extra,
    sig: v.getBigUint64(16, true),
    cookie: v.getBigUint64(24, true),
    payload: data.slice(HEAD_BYTES, HEAD_BYTES + extra),
    padding: data.slice(HEAD_BYTES + extra),
  };
}

/** The payload the fixture writes: byte i is (seq + i) mod 256. */
function payloadOf(seq: number, extra: number): Uint8Array {
  return Uint8Array.from({ length: extra }, (_, i) => (seq + i) & 0xff);
}

/** Raw sample length: the kernel rounds 4 (its size word) + data up to 8 bytes. */
function rawLength(extra: number): number {
  return ((4 + HEAD_BYTES + extra + 7) & ~7) - 4;
}

const cleanup: Disposable[] = [];
afterEach(() => {
  for (const item of cleanup.splice(0).reverse()) item[Symbol.dispose]();
});

/** perf-echo loaded and attached, recording kills aimed at this process. */
function load(): BpfObject {
  const obj = openObject(compileFixture("perf-echo"), { name: "ldr_perf_echo" });
  cleanup.push(obj);
  const rodata = new Uint8Array(16);
  const view = new DataView(rodata.buffer);
  view.setUint32(0, process.pid, true); // const volatile __u32 target_pid
  view.setBigUint64(8, COOKIE, true); // const volatile __u64 cookie
  obj.writeSection(".rodata", 0, rodata);
  obj.load();
  obj.attachAll();
  return obj;
}

function start(opts?: PerfBufferOptions): { obj: BpfObject; reader: PerfBufferReader } {
  const obj = load();
  const reader = new PerfBufferReader(obj.mapFd("ldr_perf_events"), opts);
  cleanup.push(reader);
  return { obj, reader };
}

/** kill(self, 0), or kill(self, 1000 + extra) which fails with EINVAL but still fires the tracepoint. */
function fire(extra = 0): void {
  try {
    process.kill(process.pid, extra === 0 ? 0 : EXTRA_SIG_BASE + extra);
  } catch (error) {
    if ((error as { code?: string }).code !== "EINVAL") throw error;
  }
}

/** `count` kill(self, 0) calls from a shell pinned to `cpu`. */
function fireFromCpu(cpu: number, count: number): void {
  const script = `for ((i = 0; i < ${count}; i++)); do kill -0 ${process.pid}; done`;
  const run = Bun.spawnSync(["taskset", "-c", String(cpu), "bash", "-c", script]);
  if (run.exitCode !== 0) throw new Error(`taskset -c ${cpu} failed: ${run.stderr.toString()}`);
}

/** The program's own count of failed outputs (`__u64 eunomia_lost_events`, after `__u32 seq` in .bss). */
function failedOutputs(obj: BpfObject): bigint {
  return new DataView(obj.readSection(".bss", 8, 8).buffer).getBigUint64(0, true);
}

describe("PerfBufferReader", () => {
  test("reads exactly the N samples the program wrote, every byte intact", async () => {
    const { reader } = start();
    expect(reader.cpus).toEqual(onlineCpus());
    const extras = Array.from({ length: 128 }, (_, i) => (i * 37) % 128);
    for (const extra of extras) fire(extra);
    expect(await reader.wait(1000)).toBe(true);
    const events: PerfEvent[] = [];
    const lengthsOk: boolean[] = [];
    const cpusOk: boolean[] = [];
    expect(reader.drain((data, cpu) => {
      const e = parse(data);
      events.push(e);
      lengthsOk.push(data.length === rawLength(e.extra));
      cpusOk.push(cpu === e.cpu);
    })).toBe(128);
    expect(lengthsOk.every(Boolean)).toBe(true);
    expect(cpusOk.every(Boolean)).toBe(true);
    // The process may move between CPUs: each CPU's ring is in order, the whole is sorted by seq.
    events.sort((a, b) => a.seq - b.seq);
    events.forEach((e, i) => {
      const sig = BigInt(e.extra === 0 ? 0 : EXTRA_SIG_BASE + e.extra);
      expect(e).toEqual({
        tgid: process.pid,
        seq: i,
        cpu: e.cpu,
        extra: extras[i],
        sig,
        cookie: COOKIE,
        payload: payloadOf(i, extras[i]),
        padding: e.padding,
      });
      // The kernel skips the padding without writing it: only its length is defined.
      expect(e.padding.length).toBe(rawLength(extras[i]) - HEAD_BYTES - extras[i]);
    });
    expect(reader.drain(() => {})).toBe(0);
    expect(reader.lost).toBe(0n);
  });

  test("samples that wrap around the end of a one-page ring arrive intact", () => {
    const { reader } = start({ pagesPerCpu: 1 });
    const got: PerfEvent[] = [];
    const ringBytes = new Map<number, number>(); // per CPU: bytes written so far
    let wrapped = 0;
    // Batches of 16 samples (at most 16 * 176 bytes) always fit in the 4 KiB ring.
    for (let batch = 0; batch < 100; batch++) {
      for (let i = 0; i < 16; i++) fire((batch * 16 + i) * 7 % 128);
      reader.drain((data, cpu) => {
        const start = ringBytes.get(cpu) ?? 0;
        const record = 8 + 4 + data.length;
        if ((start % PAGE) + record > PAGE) wrapped++;
        ringBytes.set(cpu, start + record);
        got.push(parse(data));
      });
    }
    expect(got.length).toBe(1600);
    expect(reader.lost).toBe(0n);
    got.sort((a, b) => a.seq - b.seq);
    const bad = got.filter((e, i) =>
      e.seq !== i || e.extra !== (i * 7) % 128 || e.cookie !== COOKIE ||
      !Bun.deepEquals(e.payload, payloadOf(i, e.extra)) || e.padding.length !== rawLength(e.extra) - HEAD_BYTES - e.extra);
    expect(bad).toEqual([]);
    // About 1600 * 100 bytes went around 4 KiB rings: dozens of records straddled the end.
    expect(wrapped).toBeGreaterThan(20);
  });

  test("samples dropped while nobody drains are counted: received + lost == sent", () => {
    const { obj, reader } = start({ pagesPerCpu: 1 });
    fireFromCpu(0, 500); // 48-byte records: about 85 fit in the ring of CPU 0
    const received: number[] = [];
    reader.drain((data, cpu) => received.push(cpu));
    // The kernel reports a loss with the next sample it manages to write, so send one more.
    fireFromCpu(0, 1);
    reader.drain((data, cpu) => received.push(cpu));
    expect(received.every((cpu) => cpu === 0)).toBe(true);
    expect(received.length).toBeGreaterThan(50);
    expect(reader.lost).toBeGreaterThan(0n);
    expect(BigInt(received.length) + reader.lost).toBe(501n);
    // The program saw the same failures from bpf_perf_event_output.
    expect(failedOutputs(obj)).toBe(reader.lost);
  });

  test("samples from both CPUs arrive, each tagged with its CPU", async () => {
    const { reader } = start();
    expect(reader.cpus).toContain(1); // this test needs a second CPU
    for (const cpu of [0, 1, 0, 1]) {
      fireFromCpu(cpu, 40); // returns once every kill(2) has run, so all samples are written
      expect(await reader.wait(1000)).toBe(true);
      const seen: number[] = [];
      const recorded: number[] = [];
      reader.drain((data, from) => {
        seen.push(from);
        recorded.push(parse(data).cpu);
      });
      expect(seen).toEqual(Array(40).fill(cpu));
      expect(recorded).toEqual(Array(40).fill(cpu));
    }
  });

  test("a map with one slot gets a ring for CPU 0 only", () => {
    const obj = load();
    using reader = new PerfBufferReader(obj.mapFd("ldr_perf_one"), { pagesPerCpu: 2 });
    expect(reader.cpus).toEqual([0]);
  });

  test("wait() times out with false without blocking the JS thread, and wakes on new data", async () => {
    const { reader } = start();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    expect(await reader.wait(200)).toBe(false);
    const waited = performance.now() - t0;
    clearInterval(timer);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(ticks).toBeGreaterThanOrEqual(5);

    setTimeout(() => fire(), 30);
    const t1 = performance.now();
    expect(await reader.wait(5000)).toBe(true);
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(reader.drain(() => {})).toBe(1);
    expect(await reader.wait(50)).toBe(false);
  });

  test("an idle wait() sleeps instead of spinning a core", async () => {
    const { reader } = start();
    const before = process.cpuUsage();
    for (let i = 0; i < 5; i++) expect(await reader.wait(100)).toBe(false);
    const used = process.cpuUsage(before);
    // 500 ms of waiting on two CPUs' events; a spinning wait would burn about as much CPU time.
    expect((used.user + used.system) / 1000).toBeLessThan(100);
  });

  test("close() ends a pending wait, is idempotent, empties kept views and the map's slots", async () => {
    const { obj, reader } = start();
    fire();
    let kept: Uint8Array = new Uint8Array(0);
    reader.drain((d) => {
      kept = d;
    });
    expect(kept.length).toBe(36); // a 32-byte struct, padded by the kernel
    const pending = reader.wait(-1);
    await Bun.sleep(50);
    const t0 = performance.now();
    reader.close();
    reader.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await pending).toBe(false);
    expect(kept.length).toBe(0);
    expect(() => reader.drain(() => {})).toThrow("perf buffer drain: EBADF (bad file descriptor): the reader is closed");
    await expect(reader.wait(1)).rejects.toBeInstanceOf(LibbpfError);
    // With its slots emptied, the program's output fails (ENOENT) and it counts a loss.
    expect(failedOutputs(obj)).toBe(0n);
    fire();
    expect(failedOutputs(obj)).toBe(1n);
  });

  test("bad arguments are clear errors", () => {
    const obj = load();
    const rodataFd = obj.mapFd(".rodata");
    expect(() => new PerfBufferReader(rodataFd)).toThrow(
      `perf buffer reader for fd ${rodataFd}: EINVAL (invalid argument): map 'ldr_perf.rodata' has type 2, not BPF_MAP_TYPE_PERF_EVENT_ARRAY (4)`,
    );
    const fd = obj.mapFd("ldr_perf_events");
    for (const pages of [0, 3, 1.5, -4, Number.NaN, 2 ** 21]) {
      expect(() => new PerfBufferReader(fd, { pagesPerCpu: pages })).toThrow(
        `perf buffer reader for fd ${fd}: EINVAL (invalid argument): pagesPerCpu must be a power of two from 1 to 1048576, not ${pages}`,
      );
    }
    expect(() => new PerfBufferReader(999_999)).toThrow(/^map info of fd 999999: EBADFD? \(/);
  });

  test("a constructor that fails half-way (no fd left for CPU 1) closes what it opened", () => {
    // A child with a 64-fd limit fills every free fd but one: CPU 0's event gets it, CPU 1's fails.
    const script = join(import.meta.dir, "../fixtures/perf-open-failure.ts");
    const run = Bun.spawnSync(["bash", "-c", `ulimit -n 64 && exec "$0" "$1" "$2"`, process.execPath, script, String(process.pid)]);
    expect(run.stderr.toString()).toBe("");
    expect(JSON.parse(run.stdout.toString())).toEqual({
      error: "perf_event_open (bpf output, cpu 1): EMFILE (too many open files)",
      freeBefore: 1,
      freeAfter: 1,
      ringsAfter: 0,
      retried: [0, 1],
      ringsOpen: 2,
    });
  });

  test("after reader and object are closed the kernel holds none of their objects", async () => {
    const before = kernelObjects("ldr_");
    const { obj, reader } = start();
    fire();
    expect(await reader.wait(1000)).toBe(true);
    const during = kernelObjects("ldr_");
    const ours = newSince(before, during);
    expect([ours.progs.length, ours.maps.length, ours.links.length]).toEqual([1, 4, 1]);
    reader.close();
    obj.close();
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("open/wait/close cycles leak no file descriptor", async () => {
    // A terminated Worker closes its own event loop's fds a moment later: count once steady.
    const fds = async () => {
      let count = readdirSync("/proc/self/fd").length;
      for (let i = 0; i < 40; i++) {
        await Bun.sleep(25);
        const now = readdirSync("/proc/self/fd").length;
        if (now === count) break;
        count = now;
      }
      return count;
    };
    const cycle = async () => {
      const { obj, reader } = start({ pagesPerCpu: 4 });
      fire();
      expect(await reader.wait(100)).toBe(true);
      reader.drain(() => {});
      expect(await reader.wait(10)).toBe(false); // the worker now exists and polls
      reader.close();
      obj.close();
    };
    await cycle();
    const before = await fds();
    for (let i = 0; i < 5; i++) await cycle();
    expect(await fds()).toBe(before);
  });
});
