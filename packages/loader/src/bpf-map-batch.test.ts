/**
 * BpfMap.entriesBatched against the real kernel: the same entries as entries() (one
 * syscall per batch instead of two per key), for hash, array and per-CPU maps, across
 * several batches, and nothing left loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import type { BpfObject } from "./bpf-object.ts";
import { openObject } from "./open-object.ts";

let obj: BpfObject;
let ours: ReturnType<typeof kernelObjects>;
const u32s = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
const u64s = (...v: bigint[]) => new Uint8Array(new BigUint64Array(v).buffer);
const sorted = (entries: { key: Uint8Array; value: Uint8Array }[]) =>
  entries.map((e) => [Array.from(e.key).join(","), Array.from(e.value).join(",")]).sort();

beforeAll(() => {
  obj = openObject(compileFixture("map-ops"), { name: "ldr_map_batch" });
  obj.load();
  ours = kernelObjects("ldr_");
});

afterAll(async () => {
  obj.close();
  expect(ours.maps.length).toBeGreaterThan(0);
  expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
});

describe("BpfMap.entriesBatched", () => {
  test("hash map, in batches of 3: every entry once, as entries() reads them", () => {
    const map = obj.map("ldr_kills");
    for (let i = 0; i < 10; i++) map.update(u32s(1000 + i, i), u64s(BigInt(i * 7)));
    const batched = map.entriesBatched(3);
    expect(batched).toHaveLength(10);
    expect(sorted(batched)).toEqual(sorted(map.entries()));
  });

  test("an empty hash map: no entries", () => {
    const map = obj.map("ldr_pcpu_hash");
    expect(map.entriesBatched()).toEqual([]);
  });

  test("per-CPU hash: one value slot per possible CPU, as lookup returns it", () => {
    const map = obj.map("ldr_pcpu_hash");
    const value = u64s(...Array.from({ length: map.cpuCount }, (_, cpu) => BigInt(cpu + 1)));
    map.update(u32s(5), value);
    map.update(u32s(6), value);
    const batched = map.entriesBatched();
    expect(sorted(batched)).toEqual(sorted([{ key: u32s(5), value }, { key: u32s(6), value }]));
  });

  test("array map: every index", () => {
    const map = obj.map("ldr_array");
    map.update(u32s(2), u64s(99n));
    expect(sorted(map.entriesBatched(2))).toEqual(sorted(map.entries()));
    expect(map.entriesBatched()).toHaveLength(4);
  });
});
