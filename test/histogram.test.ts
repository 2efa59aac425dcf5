/**
 * End to end on the real kernel: `ecli build` compiles examples/histogram, whose
 * `/// @sample` doc comment makes its map a sampled log2 histogram; the package is
 * loaded with its --target-pid flag set to this process, this process writes known sizes
 * to /dev/null, and the sampled map must print exactly those writes, as BCC's histogram
 * text and as JSON lines. (The sampling is driven through the CLI's startSampling, the
 * module `ecli run` calls for sampled maps.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { btfFromElf, parseElf, type Btf } from "@eunomia/decoder";
import { openObject, type BpfObject } from "@eunomia/loader";
import { readPackage, type Package } from "@eunomia/loader/package";
import { parseProgramArgs, programFlags } from "../packages/cli/src/program-flags.ts";
import { startSampling } from "../packages/cli/src/sampled-maps.ts";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = join(ROOT, "examples/histogram/histogram.bpf.c");
let out: string;
let pkg: Package;
let btf: Btf;
let before: KernelObjects;

/** Sizes written; slots 0, 3, 6, 9, 12, 16 with counts 1, 1, 2, 1, 3, 1. */
const SIZES = [1, 10, 100, 100, 1000, 4096, 4096, 4096, 65536];
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
const bar = (stars: number) => `|${"*".repeat(stars)}${" ".repeat(40 - stars)}|`;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-histogram-"));
  const built = await ecli(["build", SOURCE, "-o", out]);
  expect(built.stderr).toContain("package.json");
  expect(built.code).toBe(0);
  pkg = readPackage(await Bun.file(join(out, "package.json")).text());
  btf = btfFromElf(parseElf(pkg.object));
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Loads the package as `ecli run <pkg> --target-pid <this process>` does. */
function load(): BpfObject {
  const elf = parseElf(pkg.object);
  const args = parseProgramArgs(["--target-pid", String(process.pid)], programFlags(pkg.meta, elf, btf), btf);
  const obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  for (const w of args.writes) obj.writeSection(w.section, w.offset, w.bytes);
  obj.load();
  obj.attachAll();
  return obj;
}

/** Writes SIZES to a fresh /dev/null descriptor (write(2) each); returns the descriptor. */
function writeSizes(): number {
  const fd = openSync("/dev/null", "w");
  for (const n of SIZES) expect(writeSync(fd, new Uint8Array(n))).toBe(n);
  return fd;
}

describe("ecli build examples/histogram", () => {
  test("the @sample doc comment becomes the map's sample config", () => {
    expect(pkg.meta.bpf_skel.maps).toEqual([
      { name: "hists", ident: "hists", sample: { interval: 1000, type: "log2_hist", unit: "bytes", clear_map: true } },
      { name: "histogra.rodata", ident: "rodata", mmaped: true },
    ]);
    expect(pkg.meta.bpf_skel.progs).toEqual([{ name: "handle_write", attach: "tp/syscalls/sys_enter_write", link: true }]);
  });
});

describe("sampling examples/histogram", () => {
  test("text: the descriptor's histogram has exactly the rows of the writes made", () => {
    using obj = load();
    let text = "";
    using sampling = startSampling({ obj, btf, meta: pkg.meta, mode: "text", write: (t) => (text += t) });
    const fd = writeSizes();
    sampling.stop(); // the last reading; no interval has passed (this thread never yielded)
    closeSync(fd);
    const blocks = text.split(/(?=^pid = )/m);
    const ours = blocks.filter((b) => b.startsWith(`pid = ${process.pid}\nfd = ${fd}\n`));
    expect(ours).toEqual([
      [
        `pid = ${process.pid}`,
        `fd = ${fd}`,
        `bytes = ${TOTAL}`,
        "",
        "     bytes               : count    distribution",
        `         0 -> 1          : 1        ${bar(13)}`,
        `         2 -> 3          : 0        ${bar(0)}`,
        `         4 -> 7          : 0        ${bar(0)}`,
        `         8 -> 15         : 1        ${bar(13)}`,
        `        16 -> 31         : 0        ${bar(0)}`,
        `        32 -> 63         : 0        ${bar(0)}`,
        `        64 -> 127        : 2        ${bar(26)}`,
        `       128 -> 255        : 0        ${bar(0)}`,
        `       256 -> 511        : 0        ${bar(0)}`,
        `       512 -> 1023       : 1        ${bar(13)}`,
        `      1024 -> 2047       : 0        ${bar(0)}`,
        `      2048 -> 4095       : 0        ${bar(0)}`,
        `      4096 -> 8191       : 3        ${bar(40)}`,
        `      8192 -> 16383      : 0        ${bar(0)}`,
        `     16384 -> 32767      : 0        ${bar(0)}`,
        `     32768 -> 65535      : 0        ${bar(0)}`,
        `     65536 -> 131071     : 1        ${bar(13)}`,
        "",
        "",
      ].join("\n"),
    ]);
    // Every block is some descriptor of this process (the filter works).
    expect(blocks.every((b) => b.startsWith(`pid = ${process.pid}\n`))).toBe(true);
  });

  test("json: one line for the descriptor with key, value and histogram rows; clear_map empties it", () => {
    using obj = load();
    const lines: string[] = [];
    using sampling = startSampling({ obj, btf, meta: pkg.meta, mode: "json", write: (t) => lines.push(...t.trimEnd().split("\n")) });
    const fd = writeSizes();
    sampling.stop();
    closeSync(fd);
    const ours = lines.map((l) => JSON.parse(l)).filter((j) => j.key.pid === process.pid && j.key.fd === fd);
    const slots = Array(32).fill(0);
    for (const [slot, count] of [[0, 1], [3, 1], [6, 2], [9, 1], [12, 3], [16, 1]]) slots[slot] = count;
    const counts = [1, 0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 3, 0, 0, 0, 1];
    expect(ours).toEqual([
      {
        map: "hists",
        key: { pid: process.pid, fd },
        value: { bytes: TOTAL, slots },
        hist: {
          unit: "bytes",
          buckets: counts.map((count, i) => ({ low: i === 0 ? 0 : 2 ** i, high: 2 ** (i + 1) - 1, count })),
        },
      },
    ]);
    // clear_map: what was printed is gone from the kernel map.
    expect(obj.map("hists").keys().length).toBe(0);
  });

  test("ecli run prints the same histogram (text, then JSON) when stopped with Ctrl-C", async () => {
    const pkgPath = join(out, "package.json");
    const text = await RunningEcli.start([pkgPath, "--target-pid", String(process.pid)]);
    const fd = writeSizes();
    const textRun = await text.stop("SIGINT");
    expect(textRun.code).toBe(0);
    const block = textRun.stdout.split(/(?=^pid = )/m).filter((b) => b.startsWith(`pid = ${process.pid}\nfd = ${fd}\n`));
    expect(block.length).toBe(1);
    expect(block[0]).toStartWith(`pid = ${process.pid}\nfd = ${fd}\nbytes = ${TOTAL}\n\n     bytes               : count    distribution\n`);
    expect(block[0]).toContain(`      4096 -> 8191       : 3        ${bar(40)}\n`);
    expect(block[0]).toEndWith(`     65536 -> 131071     : 1        ${bar(13)}\n\n`);
    const json = await RunningEcli.start(["-j", pkgPath, "--target-pid", String(process.pid)]);
    for (const n of SIZES) writeSync(fd, new Uint8Array(n));
    const jsonRun = await json.stop("SIGTERM");
    closeSync(fd);
    expect(jsonRun.code).toBe(0);
    const ours = jsonRun.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((j) => j.key.fd === fd);
    expect(ours.map((j) => [j.map, j.key.pid, j.value.bytes, j.hist.buckets.length, j.hist.buckets[12]])).toEqual([
      ["hists", process.pid, TOTAL, 17, { low: 4096, high: 8191, count: 3 }],
    ]);
  });

  test("nothing of ours is left in the kernel afterwards", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
