import { beforeAll, describe, expect, test } from "bun:test";
import type { Btf } from "@eunomia/decoder";
import { PackageError } from "@eunomia/loader/package";
import { buildFixture } from "../fixtures/build-fixture.ts";
import { mapBtfTypes } from "@eunomia/decoder";
import { SamplePrinter, type SampleConfig } from "./sample-printer.ts";

let btf: Btf;
beforeAll(async () => {
  btf = (await buildFixture("sampled")).btf;
});

const at = new Date(2024, 0, 2, 3, 4, 5);
const printer = (map: string, sample: SampleConfig, mode: "text" | "json" = "text") =>
  new SamplePrinter({ btf, map, sample, types: mapBtfTypes(btf, map)!, mode });

/** struct kill_key { u32 tgid; u32 sig; } */
const killKey = (tgid: number, sig: number) => new Uint8Array(new Uint32Array([tgid, sig]).buffer);
/** struct hist { u64 total; u32 slots[32]; } */
function hist(total: bigint, slots: Record<number, number>): Uint8Array {
  const bytes = new Uint8Array(8 + 32 * 4);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(0, total, true);
  for (const [i, n] of Object.entries(slots)) dv.setUint32(8 + Number(i) * 4, n, true);
  return bytes;
}
const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
const u64 = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);
const bar = (stars: number) => `|${"*".repeat(stars)}${" ".repeat(40 - stars)}|`;

describe("map key and value types from BTF", () => {
  test("each map's key/value pointers lead to their types", () => {
    const name = (id?: number) => (id === undefined ? undefined : btf.typeName(id));
    const types = (map: string) => {
      const t = mapBtfTypes(btf, map)!;
      return [name(t.keyTypeId), name(t.valueTypeId)];
    };
    expect(types("hists")).toEqual(["struct kill_key", "struct hist"]);
    expect(types("calls")).toEqual(["__u32", "__u64"]);
    expect(types("linear")).toEqual(["__u32", "struct linear_hist"]);
    expect(mapBtfTypes(btf, "nope")).toBeUndefined();
  });
});

describe("log2_hist", () => {
  const sample: SampleConfig = { interval: 100, type: "log2_hist", unit: "pid" };

  test("text: the key's fields, the value's other members, then BCC's histogram", () => {
    const text = printer("hists", sample).print([{ key: killKey(42, 0), values: [hist(72111n, { 0: 1, 1: 2, 2: 1, 6: 1, 9: 2, 16: 1 })] }], at);
    expect(text).toBe(
      [
        "tgid = 42",
        "sig = 0",
        "total = 72111",
        "",
        "     pid                 : count    distribution",
        `         0 -> 1          : 1        ${bar(20)}`,
        `         2 -> 3          : 2        ${bar(40)}`,
        `         4 -> 7          : 1        ${bar(20)}`,
        `         8 -> 15         : 0        ${bar(0)}`,
        `        16 -> 31         : 0        ${bar(0)}`,
        `        32 -> 63         : 0        ${bar(0)}`,
        `        64 -> 127        : 1        ${bar(20)}`,
        `       128 -> 255        : 0        ${bar(0)}`,
        `       256 -> 511        : 0        ${bar(0)}`,
        `       512 -> 1023       : 2        ${bar(40)}`,
        `      1024 -> 2047       : 0        ${bar(0)}`,
        `      2048 -> 4095       : 0        ${bar(0)}`,
        `      4096 -> 8191       : 0        ${bar(0)}`,
        `      8192 -> 16383      : 0        ${bar(0)}`,
        `     16384 -> 32767      : 0        ${bar(0)}`,
        `     32768 -> 65535      : 0        ${bar(0)}`,
        `     65536 -> 131071     : 1        ${bar(20)}`,
        "",
        "",
      ].join("\n"),
    );
  });

  test("json: map, key, the whole value, and the histogram rows; empty histograms print nothing", () => {
    const p = printer("hists", sample, "json");
    const line = p.print(
      [
        { key: killKey(42, 10), values: [hist(3n, { 1: 5 })] },
        { key: killKey(42, 0), values: [hist(0n, {})] },
      ],
      at,
    );
    const slots = Array(32).fill(0);
    slots[1] = 5;
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd().split("\n").length).toBe(1);
    expect(JSON.parse(line)).toEqual({
      map: "hists",
      key: { tgid: 42, sig: 10 },
      value: { total: 3, slots },
      hist: { unit: "pid", buckets: [{ low: 0, high: 1, count: 0 }, { low: 2, high: 3, count: 5 }] },
    });
  });

  test("unit defaults to (unit); a scalar key prints as key = N", () => {
    const text = printer("by_slot", { interval: 1, type: "log2_hist" }).print(
      [0, 1, 2].map((slot) => ({ key: u32(slot), values: [u64(BigInt(slot + 1))] })),
      at,
    );
    expect(text.split("\n").slice(0, 4)).toEqual([
      "     (unit)              : count    distribution",
      `         0 -> 1          : 1        ${bar(13)}`,
      `         2 -> 3          : 2        ${bar(26)}`,
      `         4 -> 7          : 3        ${bar(40)}`,
    ]);
  });

  test("integer keys numbering the slots make one histogram; per-CPU copies are summed", () => {
    const p = printer("by_slot", sample, "json");
    const line = p.print([{ key: u32(3), values: [u64(2n), u64(5n)] }, { key: u32(0), values: [u64(1n), u64(0n)] }], at);
    expect(JSON.parse(line)).toEqual({
      map: "by_slot",
      hist: { unit: "pid", buckets: [{ low: 0, high: 1, count: 1 }, { low: 2, high: 3, count: 0 }, { low: 4, high: 7, count: 0 }, { low: 8, high: 15, count: 7 }] },
    });
    expect(p.print([{ key: u32(3), values: [u64(0n)] }], at)).toBe("");
  });

  test("a map with no slots anywhere is a PackageError naming the map", () => {
    const bad = () =>
      new SamplePrinter({ btf, map: "hists", sample, types: { keyTypeId: mapBtfTypes(btf, "hists")!.keyTypeId, valueTypeId: mapBtfTypes(btf, "calls")!.valueTypeId }, mode: "text", path: "meta.bpf_skel.maps[0]" });
    expect(bad).toThrow(PackageError);
    expect(bad).toThrow(
      "package: map 'hists' is sampled as log2_hist, but its value type __u64 holds no histogram: use a struct with an integer array member \"slots\", or integer keys numbering the slots with integer counts",
    );
    const noTypes = () => new SamplePrinter({ btf, map: "x", sample, types: {}, mode: "text" });
    expect(noTypes).toThrow("its no BTF value type holds no histogram");
  });
});

describe("linear_hist", () => {
  test("BCC's linear layout with base and step from the sample config", () => {
    const slots = new Uint8Array(16 * 4);
    const dv = new DataView(slots.buffer);
    dv.setUint32(1 * 4, 1, true);
    dv.setUint32(5 * 4, 1, true);
    dv.setUint32(15 * 4, 4, true);
    const sample: SampleConfig = { interval: 100, type: "linear_hist", unit: "pid", base: 100, step: 10 };
    expect(printer("linear", sample).print([{ key: u32(0), values: [slots] }], at)).toBe(
      [
        "key = 0",
        "",
        "     pid           : count     distribution",
        `        110        : 1        ${bar(10)}`,
        `        150        : 1        ${bar(10)}`,
        `        250        : 4        ${bar(40)}`,
        "",
        "",
      ].join("\n"),
    );
    const json = JSON.parse(printer("linear", sample, "json").print([{ key: u32(0), values: [slots] }], at));
    expect(json.hist).toEqual({ unit: "pid", buckets: [{ low: 110, high: 119, count: 1 }, { low: 150, high: 159, count: 1 }, { low: 250, high: 259, count: 4 }] });
  });
});

describe("default_kv", () => {
  const sample: SampleConfig = { interval: 100, type: "default_kv" };

  test("text: a table with TIME, KEY and VALUE, header once; per-CPU values summed", () => {
    const p = printer("calls", sample);
    expect(p.print([], at)).toBe("");
    expect(p.print([{ key: u32(0), values: [u64(3n), u64(4n)] }, { key: u32(10), values: [u64(0xffffffffffffffffn), u64(1n)] }], at)).toBe(
      ["TIME     KEY    VALUE", "03:04:05 0      7", "03:04:05 10     18446744073709551616", ""].join("\n"),
    );
    expect(p.print([{ key: u32(9), values: [u64(1n), u64(0n)] }], at)).toBe("03:04:05 9      1\n");
  });

  test("text: struct keys and values spread into columns", () => {
    const p = printer("hists", sample);
    const text = p.print([{ key: killKey(7, 0), values: [hist(9n, { 0: 1 })] }], at);
    const [header, row] = text.split("\n");
    expect(header).toBe("TIME     TGID   SIG    TOTAL  SLOTS");
    expect(row).toBe(`03:04:05 7      0      9      [1${",0".repeat(31)}]`);
  });

  test("json: one line per entry with map, key and value (exact 64-bit integers)", () => {
    const p = printer("calls", sample, "json");
    expect(p.print([{ key: u32(10), values: [u64(0xfffffffffffffffen), u64(1n)] }], at)).toBe('{"map":"calls","key":10,"value":18446744073709551615}\n');
  });
});
