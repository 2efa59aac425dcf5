/**
 * End to end on the real kernel: `ecli run` takes every package form, told apart by
 * content: the MessagePack form (under a neutral file name), a plain .bpf.o (metadata
 * derived from its BTF), `-` (stdin) and an http URL; `ecli convert` round-trips; and
 * malformed MessagePack packages give one line and exit 1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT, type Finished } from "./helpers/ecli.ts";
import { BOOTSTRAP_HEADER, BOOTSTRAP_SOURCE, child, type BootstrapEvent } from "./helpers/bootstrap.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = BOOTSTRAP_SOURCE;
const HEADER = BOOTSTRAP_HEADER;
let out: string;
let jsonPath: string;
let binPath: string;
let objectPath: string;
let before: KernelObjects;


/** `ecli run -v -j <source> --target-pid <us>` (stdin from `stdin`), stopped with SIGINT after `work` ran. */
async function runAround(source: string, work: () => Promise<void>, stdin?: Uint8Array): Promise<Finished> {
  const run = await RunningEcli.start(["-j", source, "--target-pid", String(process.pid)], { stdin });
  await work();
  await Bun.sleep(300);
  return run.stop();
}

/** Runs `source` around a `/usr/bin/true` and checks its exec event exactly, as bootstrap.test.ts does. */
async function expectDecodedExec(source: string, stdin?: Uint8Array): Promise<void> {
  let truePid = 0;
  const done = await runAround(source, async () => void (truePid = await child(["/usr/bin/true"])), stdin);
  expect(done.code).toBe(0);
  const events = done.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as BootstrapEvent);
  expect(events.find((e) => e.pid === truePid && !e.exit_event)).toEqual({
    pid: truePid, ppid: process.pid, exit_code: 0, duration_ns: 0,
    comm: "true", filename: "/usr/bin/true", exit_event: false,
  });
  const exit = events.find((e) => e.pid === truePid && e.exit_event)!;
  expect(exit).toMatchObject({ pid: truePid, ppid: process.pid, exit_code: 0, comm: "true", filename: "", exit_event: true });
  expect(Number(exit.duration_ns)).toBeGreaterThan(0);
  expect(events.every((e) => e.pid === truePid)).toBe(true);
  expect(done.stdout.split("\n")[0]).toMatch(/^\{"pid":\d+,"ppid":\d+,"exit_code":\d+,"duration_ns":\d+,"comm":"[^"]*","filename":"[^"]*","exit_event":(true|false)\}$/);
}

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-forms-"));
  const built = await ecli(["build", SOURCE, HEADER, "-o", out]);
  expect(built.code).toBe(0);
  jsonPath = join(out, "package.json");
  objectPath = join(out, "bootstrap.bpf.o");
  binPath = join(out, "bootstrap.bin"); // no telling extension: detection is by content
  copyFileSync(join(out, "package.msgpack"), binPath);
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ecli build", () => {
  test("writes package.msgpack at most half of package.json, starting EUNP v2", () => {
    const bin = readFileSync(binPath);
    const json = readFileSync(jsonPath);
    expect([...bin.subarray(0, 5)]).toEqual([0x45, 0x55, 0x4e, 0x50, 2]);
    expect(bin.length).toBeLessThanOrEqual(json.length * 0.5);
  });
});

describe("ecli run takes every package form", () => {
  test("the MessagePack form under a neutral name", () => expectDecodedExec(binPath), 30_000);
  test("a plain .bpf.o, its metadata derived from BTF", () => expectDecodedExec(objectPath), 30_000);
  test("the MessagePack bytes on stdin (-)", () => expectDecodedExec("-", readFileSync(binPath)), 30_000);

  test("an http URL served on 127.0.0.1", async () => {
    const bytes = readFileSync(binPath);
    using server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(bytes) });
    await expectDecodedExec(`http://127.0.0.1:${server.port}/bootstrap`);
  }, 30_000);

  test("an unreachable URL is one line and exit 1", async () => {
    using server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = server.port;
    server.stop(true);
    const done = await ecli(["run", `http://127.0.0.1:${port}/package.json`]);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(new RegExp(`^ecli: cannot fetch http://127\\.0\\.0\\.1:${port}/package\\.json: .+\\n$`));
  });
});

describe("ecli convert", () => {
  test("JSON -> MessagePack -> JSON gives back the same bytes", async () => {
    const bin = join(out, "converted.pkg");
    const back = join(out, "back.json");
    expect((await ecli(["convert", jsonPath, "-o", bin])).code).toBe(0);
    expect(readFileSync(bin)).toEqual(readFileSync(binPath));
    const done = await ecli(["convert", bin, "-o", back, "--to", "json"]);
    expect(done.code).toBe(0);
    expect(readFileSync(back, "utf8")).toBe(readFileSync(jsonPath, "utf8"));
    // And to stdout, from stdin.
    const piped = await ecli(["convert", "-", "--to", "json"], { stdin: readFileSync(bin) });
    expect(piped.stdout).toBe(readFileSync(jsonPath, "utf8"));
  });

  test("--to takes only json or msgpack", async () => {
    const done = await ecli(["convert", jsonPath, "--to", "yaml"]);
    expect(done.code).toBe(2);
    expect(done.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("a malformed MessagePack package is one line and exit 1", () => {
  const cases: [string, (good: Uint8Array) => Uint8Array, RegExp][] = [
    ["bad format version", (g) => Uint8Array.from([...g.subarray(0, 4), 7, ...g.subarray(5)]), /format version 7 is not supported/],
    ["truncated", (g) => g.subarray(0, g.length >> 1), /not valid (zstd|MessagePack)/],
    ["bad compression", (g) => Uint8Array.from([...g.subarray(0, 6), ...new Uint8Array(64).fill(0xff)]), /not valid zstd/],
    ["bad body", (g) => Uint8Array.from([...g.subarray(0, 6), ...require("node:zlib").zstdCompressSync(Uint8Array.of(0x92, 0x81, 0xa1, 0x61, 0x01, 0xc0))]), /bpf_object must be a bin/],
  ];
  for (const [name, corrupt, message] of cases) {
    test(name, async () => {
      const path = join(out, `bad-${name.replace(/ /g, "-")}.bin`);
      writeFileSync(path, corrupt(new Uint8Array(readFileSync(binPath))));
      const done = await ecli(["run", path]);
      expect(done.code).toBe(1);
      expect(done.stderr).toMatch(/^ecli: package: [^\n]+\n$/);
      expect(done.stderr).toMatch(message);
    });
  }
});

test("leaves no program, map or link of ours in the kernel", async () => {
  expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
});
