/**
 * Sampling on the real kernel: the fixture counts this process's kill(2) calls into four
 * sampled maps; the calls are made with chosen `pid` arguments (signal 0, so nothing is
 * delivered), and the printed readings must match them exactly.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Btf } from "@eunomia/decoder";
import { LibbpfError, openObject, type BpfObject } from "@eunomia/loader";
import { PackageError, type Package, type PackageMeta } from "@eunomia/loader/package";
import { buildFixture } from "../fixtures/build-fixture.ts";
import { startSampling, type Sampling } from "./sampled-maps.ts";

let pkg: Package;
let btf: Btf;
beforeAll(async () => {
  ({ pkg, btf } = await buildFixture("sampled"));
});

const cleanup: (Sampling | BpfObject)[] = [];
afterEach(() => {
  for (const x of cleanup.splice(0).reverse()) (x as Disposable)[Symbol.dispose]();
});

function loaded(): BpfObject {
  const obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  cleanup.push(obj);
  obj.writeSection(".rodata", 0, new Uint8Array(new Uint32Array([process.pid]).buffer));
  obj.load();
  obj.attachAll();
  return obj;
}

/** kill(pid, 0) for each pid: traced, delivers nothing (ESRCH for pids that do not exist). */
function killAll(pids: number[], signal: 0 | "SIGUSR1" = 0): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH or EPERM: the tracepoint saw the call all the same.
    }
  }
}

/** The package's meta with only the named maps sampled. */
function only(names: string[], meta: PackageMeta = pkg.meta): PackageMeta {
  const maps = (meta.bpf_skel.maps ?? []).map((m) => (names.includes(m.name) ? m : { name: m.name, ident: m.ident }));
  return { ...meta, bpf_skel: { ...meta.bpf_skel, maps } };
}

const PIDS = [1, 2, 3, 5, 100, 1000, 1000, 70000];
const bar = (stars: number) => `|${"*".repeat(stars)}${" ".repeat(40 - stars)}|`;

describe("startSampling", () => {
  test("text: stop() prints the last reading of every sampled map, exactly", () => {
    const obj = loaded();
    const out: string[] = [];
    const sampling = startSampling({ obj, btf, meta: pkg.meta, mode: "text", write: (t) => out.push(t) });
    cleanup.push(sampling);
    expect(sampling.maps).toEqual(["hists", "calls", "linear", "by_slot"]);
    killAll(PIDS);
    sampling.stop(); // no timer can have fired: this thread never yielded
    const zero = `${bar(0)}`;
    const [hists, calls, linear, bySlot] = out;
    expect(out.length).toBe(4);
    expect(hists).toBe(
      [
        `tgid = ${process.pid}`,
        "sig = 0",
        "total = 72111",
        "",
        "     pid                 : count    distribution",
        `         0 -> 1          : 1        ${bar(20)}`,
        `         2 -> 3          : 2        ${bar(40)}`,
        `         4 -> 7          : 1        ${bar(20)}`,
        `         8 -> 15         : 0        ${zero}`,
        `        16 -> 31         : 0        ${zero}`,
        `        32 -> 63         : 0        ${zero}`,
        `        64 -> 127        : 1        ${bar(20)}`,
        `       128 -> 255        : 0        ${zero}`,
        `       256 -> 511        : 0        ${zero}`,
        `       512 -> 1023       : 2        ${bar(40)}`,
        `      1024 -> 2047       : 0        ${zero}`,
        `      2048 -> 4095       : 0        ${zero}`,
        `      4096 -> 8191       : 0        ${zero}`,
        `      8192 -> 16383      : 0        ${zero}`,
        `     16384 -> 32767      : 0        ${zero}`,
        `     32768 -> 65535      : 0        ${zero}`,
        `     65536 -> 131071     : 1        ${bar(20)}`,
        "",
        "",
      ].join("\n"),
    );
    expect(calls).toMatch(/^TIME {5}KEY {4}VALUE\n\d\d:\d\d:\d\d 0 {6}8\n$/);
    expect(linear).toBe(
      [
        "key = 0",
        "",
        "     pid           : count     distribution",
        `        1          : 1        ${bar(10)}`,
        `        2          : 1        ${bar(10)}`,
        `        3          : 1        ${bar(10)}`,
        `        5          : 1        ${bar(10)}`,
        `        15         : 4        ${bar(40)}`,
        "",
        "",
      ].join("\n"),
    );
    expect(bySlot.split("\n").slice(0, 3)).toEqual([
      "     pid                 : count    distribution",
      `         0 -> 1          : 1        ${bar(20)}`,
      `         2 -> 3          : 2        ${bar(40)}`,
    ]);
    expect(bySlot.split("\n").length).toBe(1 + 17 + 2);
    sampling.stop();
    expect(out.length).toBe(4);
  });

  test("json: one line per key, readings every interval; clear_map empties the map between them", async () => {
    const obj = loaded();
    const lines: string[] = [];
    const sampling = startSampling({ obj, btf, meta: only(["hists", "by_slot"]), mode: "json", write: (t) => lines.push(...t.trimEnd().split("\n")) });
    cleanup.push(sampling);
    killAll([1, 2]);
    killAll([0x7ffffff0], "SIGUSR1");
    for (let i = 0; i < 100 && lines.length < 3; i++) await Bun.sleep(20);
    killAll([8]);
    // hists is cleared after each reading, by_slot is not: wait for a reading holding only the 8.
    const second = (l: string) => l.includes('"map":"hists"') && l.includes('"total":8,');
    for (let i = 0; i < 100 && !lines.some(second); i++) await Bun.sleep(20);
    sampling.stop();
    const hists = lines.map((l) => JSON.parse(l)).filter((j) => j.map === "hists");
    const bucket = (low: number, high: number, count: number) => ({ low, high, count });
    const bySig = (sig: number) => hists.filter((h) => h.key.sig === sig);
    expect(bySig(0).map((h) => [h.value.total, h.hist.buckets])).toEqual([
      [3, [bucket(0, 1, 1), bucket(2, 3, 1)]],
      [8, [bucket(0, 1, 0), bucket(2, 3, 0), bucket(4, 7, 0), bucket(8, 15, 1)]],
    ]);
    expect(bySig(10).map((h) => [h.key.tgid, h.value.total, h.hist.buckets.length, h.hist.buckets.at(-1)])).toEqual([
      [process.pid, 0x7ffffff0, 31, bucket(1073741824, 2147483647, 1)],
    ]);
    // by_slot keeps counting: its last reading holds every call.
    const bySlot = lines.map((l) => JSON.parse(l)).filter((j) => j.map === "by_slot");
    expect(bySlot.length).toBeGreaterThanOrEqual(2);
    const last = bySlot.at(-1).hist.buckets.filter((b: { count: number }) => b.count > 0);
    expect(last).toEqual([bucket(0, 1, 1), bucket(2, 3, 1), bucket(8, 15, 1), bucket(1073741824, 2147483647, 1)]);
  });

  test("unusable configs are errors before anything runs", () => {
    const obj = loaded();
    const write = () => {};
    const withSample = (name: string, sample: object): PackageMeta => {
      const maps = (pkg.meta.bpf_skel.maps ?? []).map((m) => (m.name === name ? { ...m, sample } : { name: m.name, ident: m.ident }));
      return { ...pkg.meta, bpf_skel: { ...pkg.meta.bpf_skel, maps } } as PackageMeta;
    };
    const zero = () => startSampling({ obj, btf, meta: withSample("hists", { interval: 0, type: "log2_hist" }), mode: "text", write });
    expect(zero).toThrow(PackageError);
    expect(zero).toThrow("package: meta.bpf_skel.maps[0].sample.interval must be above 0 ms to sample map 'hists' (got 0)");
    // u32 keys numbering u64 counts are a histogram too (one for the whole map).
    const slotKeys = startSampling({ obj, btf, meta: withSample("calls", { interval: 10, type: "log2_hist" }), mode: "text", write });
    expect(slotKeys.maps).toEqual(["calls"]);
    slotKeys.stop();
    const missing = { ...pkg.meta, bpf_skel: { ...pkg.meta.bpf_skel, maps: [{ name: "nope", ident: "nope", sample: { interval: 5, type: "default_kv" as const } }] } };
    expect(() => startSampling({ obj, btf, meta: missing, mode: "text", write })).toThrow(LibbpfError);
  });

  test("with enable_multiple_export_types only maps whose export_config exports them are sampled", () => {
    const obj = loaded();
    const meta = (configs: Record<string, unknown>): PackageMeta => {
      const maps = (pkg.meta.bpf_skel.maps ?? []).map((m) => (m.name in configs ? { ...m, export_config: configs[m.name] } : m));
      return { ...pkg.meta, enable_multiple_export_types: true, bpf_skel: { ...pkg.meta.bpf_skel, maps } } as PackageMeta;
    };
    const write = () => {};
    const linearHist = btf.find("linear_hist", "struct")!.id;
    using sampling = startSampling({ obj, btf, meta: meta({ hists: "default", linear: { btf_type_id: linearHist }, by_slot: "no_export" }), mode: "json", write });
    expect(sampling.maps).toEqual(["hists", "linear"]); // calls has no export_config: not exported
    const custom = () => startSampling({ obj, btf, meta: meta({ hists: { custom_members: [] } }), mode: "json", write });
    expect(custom).toThrow("package: meta.bpf_skel.maps[0].export_config: custom_members are not supported for sampled map 'hists'");
    const badId = () => startSampling({ obj, btf, meta: meta({ hists: { btf_type_id: 99999 } }), mode: "json", write });
    expect(badId).toThrow("package: meta.bpf_skel.maps[0].export_config.btf_type_id 99999 is not a type of the object");
  });

  test("a reading that fails stops that map and reports it once", () => {
    const obj = loaded();
    const errors: string[] = [];
    const sampling = startSampling({ obj, btf, meta: only(["calls"]), mode: "text", write: () => {}, onError: (e, map) => errors.push(`${map}: ${(e as Error).message}`) });
    obj.close();
    sampling.stop();
    sampling.stop();
    expect(errors).toEqual(["calls: list the keys of map 'calls': EBADF (bad file descriptor): object 'sampled_bpf' is closed"]);
  });
});

test("sampling and closing leave no program, map or link of ours behind", async () => {
  const ids = () => {
    const list = (kind: string) => new Set((JSON.parse(Bun.spawnSync(["bpftool", "-j", kind, "list"]).stdout.toString() || "[]") as { id: number }[]).map((x) => x.id));
    return { progs: list("prog"), maps: list("map"), links: list("link") };
  };
  const before = ids();
  const obj = loaded();
  const sampling = startSampling({ obj, btf, meta: pkg.meta, mode: "json", write: () => {} });
  killAll([1]);
  const during = ids();
  const fresh = (now: Set<number>, old: Set<number>) => [...now].filter((id) => !old.has(id));
  const ours = { progs: fresh(during.progs, before.progs), maps: fresh(during.maps, before.maps), links: fresh(during.links, before.links) };
  expect([ours.progs.length, ours.maps.length, ours.links.length]).toEqual([1, 5, 1]);
  sampling.stop();
  obj.close();
  let left = ours;
  for (let i = 0; i < 50; i++) {
    const now = ids();
    left = { progs: ours.progs.filter((id) => now.progs.has(id)), maps: ours.maps.filter((id) => now.maps.has(id)), links: ours.links.filter((id) => now.links.has(id)) };
    if (left.progs.length + left.maps.length + left.links.length === 0) break;
    await Bun.sleep(50);
  }
  expect(left).toEqual({ progs: [], maps: [], links: [] });
});
