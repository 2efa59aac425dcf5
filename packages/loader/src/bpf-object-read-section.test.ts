import { afterEach, describe, expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import type { BpfObject } from "./bpf-object.ts";
import { openObject } from "./open-object.ts";
import { RingBufferReader } from "./ring-buffer-reader.ts";

// ring-loss .bss: __u32 seq at 0, __u64 eunomia_lost_events at 8.
const LOST_OFFSET = 8;
const RECORD_BYTES = 8 + 64; // ring header + struct event
const RING_BYTES = 4096;

const cleanup: Disposable[] = [];
afterEach(() => {
  for (const item of cleanup.splice(0).reverse()) item[Symbol.dispose]();
});

function open(): BpfObject {
  const obj = openObject(compileFixture("ring-loss"), { name: "ldr_ring_loss" });
  cleanup.push(obj);
  const rodata = new Uint8Array(4);
  new DataView(rodata.buffer).setUint32(0, process.pid, true); // const volatile __u32 target_pid
  obj.writeSection(".rodata", 0, rodata);
  return obj;
}

function u64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer).getBigUint64(0, true);
}

function fire(times: number): void {
  for (let i = 0; i < times; i++) process.kill(process.pid, 0);
}

describe("BpfObject.readSection", () => {
  test("reads what the program keeps in .bss now, not the initial value", () => {
    const obj = open();
    obj.load();
    expect(obj.readSection(".bss", 0, 16)).toEqual(new Uint8Array(16));
    obj.attachAll();
    fire(3);
    const bss = obj.readSection(".bss", 0, 16);
    expect(new DataView(bss.buffer).getUint32(0, true)).toBe(3); // seq
    expect(obj.readSection(".bss", 0, 4)).toEqual(new Uint8Array([3, 0, 0, 0]));
    // .rodata (frozen) reads back what writeSection put there before load.
    expect(new DataView(obj.readSection(".rodata", 0, 4).buffer).getUint32(0, true)).toBe(process.pid);
    expect(obj.readSection(".bss", 16, 0)).toEqual(new Uint8Array(0));
  });

  test("the lost-events convention: drained records + eunomia_lost_events == events sent", () => {
    const obj = open();
    obj.load();
    obj.attachAll();
    using ring = new RingBufferReader(obj.mapFd("ldr_small_ring"));
    const fits = Math.floor(RING_BYTES / RECORD_BYTES); // 56 records of 72 bytes
    fire(200); // nobody drains: the 4 KiB ring fills and later reservations fail
    const seqs: number[] = [];
    ring.drain((data) => seqs.push(new DataView(data.buffer, data.byteOffset).getUint32(0, true)));
    const lost = u64(obj.readSection(".bss", LOST_OFFSET, 8));
    expect(seqs).toEqual([...Array(fits).keys()]);
    expect(lost).toBe(BigInt(200 - fits));
    expect(BigInt(seqs.length) + lost).toBe(200n);
    // Drained, the ring takes records again; the counter stays put.
    fire(10);
    expect(ring.drain(() => {})).toBe(10);
    expect(u64(obj.readSection(".bss", LOST_OFFSET, 8))).toBe(lost);
  });

  test("misuse is a clear error", () => {
    const obj = open();
    expect(() => obj.readSection(".bss", 0, 8)).toThrow(
      "read section '.bss': EINVAL (invalid argument): the object is not loaded",
    );
    obj.load();
    expect(() => obj.readSection(".data", 0, 8)).toThrow(/^read section '.data': ENOENT \(no such file or directory\): no such map \(maps: /);
    expect(() => obj.readSection("ldr_small_ring", 0, 8)).toThrow(
      "read section 'ldr_small_ring': EINVAL (invalid argument): the map is not a data section",
    );
    expect(() => obj.readSection(".bss", 12, 8)).toThrow(
      "read section '.bss': ERANGE (numerical result out of range): offset 12 + 8 bytes is outside the section's 16 bytes",
    );
    expect(() => obj.readSection(".bss", -1, 1)).toThrow(/ERANGE/);
    expect(() => obj.readSection(".bss", 0.5, 1)).toThrow(/ERANGE/);
    obj.close();
    expect(() => obj.readSection(".bss", 0, 8)).toThrow("read section '.bss': EBADF (bad file descriptor): object 'ldr_ring_loss' is closed");
  });
});
