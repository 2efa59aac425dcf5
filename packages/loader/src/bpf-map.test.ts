import { afterEach, describe, expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import { BPF_EXIST, BPF_NOEXIST, type BpfMap } from "./bpf-map.ts";
import type { BpfObject } from "./bpf-object.ts";
import { LibbpfError } from "./errors.ts";
import { openObject } from "./open-object.ts";

const opened: BpfObject[] = [];
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

/** The map-ops fixture, loaded, counting kill(2) calls of this process. */
function loaded(attach = false): BpfObject {
  const obj = openObject(compileFixture("map-ops"), { name: "ldr_map_ops" });
  opened.push(obj);
  obj.writeSection(".rodata", 0, u32(process.pid));
  obj.load();
  if (attach) obj.attachAll();
  return obj;
}

function u32(value: number): Uint8Array {
  return new Uint8Array(new Uint32Array([value]).buffer);
}
function u64(value: bigint): Uint8Array {
  return new Uint8Array(new BigUint64Array([value]).buffer);
}
const readU64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const readU32 = (b: Uint8Array, at = 0) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
/** struct kill_key { u32 tgid; u32 sig; } */
const killKey = (tgid: number, sig: number) => new Uint8Array(new Uint32Array([tgid, sig]).buffer);

function thrown(fn: () => unknown): LibbpfError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LibbpfError) return error;
    throw error;
  }
  throw new Error("expected a LibbpfError");
}

/** kill(2) that delivers nothing: signal 0 to ourselves, or a real signal to a pid that cannot exist. */
function kills(sig0: number, sigusr1ToNobody: number): void {
  for (let i = 0; i < sig0; i++) process.kill(process.pid, 0);
  for (let i = 0; i < sigusr1ToNobody; i++) {
    try {
      process.kill(0x7fffffff, "SIGUSR1");
    } catch {
      // ESRCH: the tracepoint saw the call all the same.
    }
  }
}

describe("BpfObject.map", () => {
  test("describes each map; per-CPU values span every possible CPU, each rounded up to 8 bytes", () => {
    const obj = loaded();
    const shape = (m: BpfMap) => ({ name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, perCpu: m.perCpu });
    const cpus = obj.map("ldr_percpu").cpuCount;
    const possible = (Bun.spawnSync(["cat", "/sys/devices/system/cpu/possible"]).stdout.toString().trim().match(/(\d+)$/) ?? ["", "0"])[1];
    expect(cpus).toBe(Number(possible) + 1);
    expect(shape(obj.map("ldr_kills"))).toEqual({ name: "ldr_kills", type: 1, keySize: 8, valueSize: 8, maxEntries: 16, perCpu: false });
    expect(shape(obj.map("ldr_array"))).toEqual({ name: "ldr_array", type: 2, keySize: 4, valueSize: 8, maxEntries: 4, perCpu: false });
    expect(shape(obj.map("ldr_percpu"))).toEqual({ name: "ldr_percpu", type: 6, keySize: 4, valueSize: 16 * cpus, maxEntries: 2, perCpu: true });
    expect(shape(obj.map("ldr_pcpu_hash"))).toEqual({ name: "ldr_pcpu_hash", type: 5, keySize: 4, valueSize: 8 * cpus, maxEntries: 8, perCpu: true });
    expect(obj.map(".rodata").fd).toBe(obj.mapFd(".rodata"));
  });

  test("unknown maps, maps before load and maps of a closed object are typed errors", () => {
    const fresh = openObject(compileFixture("map-ops"), { name: "ldr_map_ops" });
    opened.push(fresh);
    const early = thrown(() => fresh.map("ldr_kills"));
    expect(early.message).toBe("map 'ldr_kills': EINVAL (invalid argument): the object is not loaded");
    const obj = loaded();
    expect(thrown(() => obj.map("nope")).errnoName).toBe("ENOENT");
    const kills = obj.map("ldr_kills");
    obj.close();
    const closed = thrown(() => kills.lookup(killKey(1, 0)));
    expect(closed.message).toBe("look up a key in map 'ldr_kills': EBADF (bad file descriptor): object 'ldr_map_ops' is closed");
    expect(thrown(() => kills.keys()).errnoName).toBe("EBADF");
    expect(thrown(() => obj.map("ldr_kills")).errnoName).toBe("EBADF");
  });
});

describe("BpfMap on a hash map the program fills", () => {
  test("keys, entries, lookup, delete and clear see exactly what the kernel counted", () => {
    const obj = loaded(true);
    const map = obj.map("ldr_kills");
    expect(map.keys()).toEqual([]);
    kills(3, 2);
    const entries = map.entries().map(({ key, value }) => ({ tgid: readU32(key), sig: readU32(key, 4), count: readU64(value) }));
    entries.sort((a, b) => a.sig - b.sig);
    expect(entries).toEqual([
      { tgid: process.pid, sig: 0, count: 3n },
      { tgid: process.pid, sig: 10, count: 2n },
    ]);
    expect(map.keys().length).toBe(2);
    expect(readU64(map.lookup(killKey(process.pid, 0))!)).toBe(3n);
    expect(map.lookup(killKey(process.pid, 9))).toBeUndefined();
    expect(map.delete(killKey(process.pid, 10))).toBe(true);
    expect(map.delete(killKey(process.pid, 10))).toBe(false);
    kills(1, 0);
    expect(readU64(map.lookup(killKey(process.pid, 0))!)).toBe(4n);
    expect(map.clear()).toBe(1);
    expect(map.keys()).toEqual([]);
    expect(map.clear()).toBe(0);
  });

  test("update honours BPF_NOEXIST / BPF_EXIST and refuses keys and values of the wrong size", () => {
    const map = loaded().map("ldr_kills");
    map.update(killKey(7, 1), u64(41n));
    map.update(killKey(7, 1), u64(42n), BPF_EXIST);
    expect(readU64(map.lookup(killKey(7, 1))!)).toBe(42n);
    expect(thrown(() => map.update(killKey(7, 1), u64(1n), BPF_NOEXIST)).errnoName).toBe("EEXIST");
    expect(thrown(() => map.update(killKey(8, 1), u64(1n), BPF_EXIST)).errnoName).toBe("ENOENT");
    const shortKey = thrown(() => map.lookup(u32(7)));
    expect(shortKey.message).toBe("look up a key in map 'ldr_kills': EINVAL (invalid argument): the key is 4 bytes, the map's keys are 8 bytes");
    const longValue = thrown(() => map.update(killKey(7, 1), new Uint8Array(9)));
    expect(longValue.message).toBe("update a key in map 'ldr_kills': EINVAL (invalid argument): the value is 9 bytes, the map's values are 8 bytes");
    expect(thrown(() => map.delete("x" as unknown as Uint8Array)).message).toContain("the key is not a Uint8Array");
  });
});

describe("BpfMap on arrays", () => {
  test("keys are 0..max-1; clear zeroes the non-zero elements; delete is refused", () => {
    const map = loaded().map("ldr_array");
    expect(map.keys().map((k) => readU32(k))).toEqual([0, 1, 2, 3]);
    map.update(u32(1), u64(5n));
    map.update(u32(3), u64(0xffffffffffffffffn));
    expect(map.entries().map(({ value }) => readU64(value))).toEqual([0n, 5n, 0n, 0xffffffffffffffffn]);
    expect(thrown(() => map.delete(u32(1))).errnoName).toBe("EINVAL");
    expect(map.lookup(u32(4))).toBeUndefined();
    expect(map.clear()).toBe(2);
    expect(map.entries().map(({ value }) => readU64(value))).toEqual([0n, 0n, 0n, 0n]);
  });

  test("a per-CPU array holds one copy per CPU: the kernel's increments sum up across them", () => {
    const obj = loaded(true);
    const map = obj.map("ldr_percpu");
    kills(4, 1);
    const copies = map.cpuValues(map.lookup(u32(0))!);
    expect(copies.length).toBe(map.cpuCount);
    expect(copies.every((c) => c.length === 16)).toBe(true);
    expect(copies.reduce((sum, c) => sum + readU32(c), 0)).toBe(5);
    // Written from user space: every CPU's copy separately.
    const value = new Uint8Array(map.valueSize);
    for (let cpu = 0; cpu < map.cpuCount; cpu++) new DataView(value.buffer).setUint32(cpu * 16 + 8, 100 + cpu, true);
    map.update(u32(1), value);
    expect(map.cpuValues(map.lookup(u32(1))!).map((c) => readU32(c, 8))).toEqual(Array.from({ length: map.cpuCount }, (_, i) => 100 + i));
    expect(map.clear()).toBe(2);
    expect(map.lookup(u32(1))!.every((b) => b === 0)).toBe(true);
  });

  test("a per-CPU hash: values of every CPU, cleared by deleting its keys", () => {
    const map = loaded().map("ldr_pcpu_hash");
    const value = new Uint8Array(map.valueSize).fill(1);
    map.update(u32(9), value);
    expect(map.lookup(u32(9))).toEqual(value);
    expect(map.keys().map((k) => readU32(k))).toEqual([9]);
    expect(map.clear()).toBe(1);
    expect(map.keys()).toEqual([]);
  });
});

test("reading and clearing maps of an attached object leaves no program, map or link behind", async () => {
  const before = kernelObjects("ldr_");
  const obj = loaded(true);
  kills(2, 0);
  expect(obj.map("ldr_kills").entries().length).toBe(1);
  obj.map("ldr_kills").clear();
  const during = kernelObjects("ldr_");
  const fresh = (now: number[], old: number[]) => now.filter((id) => !old.includes(id));
  const ours = { progs: fresh(during.progs, before.progs), maps: fresh(during.maps, before.maps), links: fresh(during.links, before.links) };
  expect(ours.progs.length).toBe(1);
  expect(ours.maps.length).toBe(5); // four BTF maps + .rodata
  expect(ours.links.length).toBe(1);
  obj.close();
  expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
});
