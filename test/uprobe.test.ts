/**
 * End to end: examples/uprobe (a uprobe and a uretprobe) attached with
 * `--uprobe-binary/--uprobe-func` to a small C program this test compiles; the
 * arguments and return values come back exactly, and `--pid` filters by process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

interface CallEvent { pid: number; is_return: number; a: number; b: number; ret: number }

let out: string;
let pkg: string;
let adder: string;
let before: KernelObjects;
const started: RunningEcli[] = [];

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-uprobe-"));
  const built = await ecli(["build", join(ROOT, "examples/uprobe/uprobe.bpf.c"), join(ROOT, "examples/uprobe/uprobe.bpf.h"), "-o", out]);
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
  adder = join(out, "adder");
  const cc = Bun.spawnSync(["clang-19", "-O1", "-o", adder, join(ROOT, "test/fixtures/adder.c")]);
  expect(cc.stderr.toString()).toBe("");
  expect(cc.exitCode).toBe(0);
});

afterEach(async () => {
  for (const run of started.splice(0)) {
    if (run.proc.exitCode === null) run.proc.kill("SIGINT");
    await run.proc.exited;
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

async function start(args: string[]): Promise<RunningEcli> {
  const run = await RunningEcli.start(args);
  started.push(run);
  return run;
}

/** Runs the adder: sleeps `delayMs`, then adds each pair; returns its pid and output. */
async function runAdder(delayMs: number, pairs: number[][]): Promise<{ pid: number; stdout: string }> {
  const p = Bun.spawn([adder, String(delayMs), ...pairs.flat().map(String)], { stdout: "pipe" });
  const stdout = await new Response(p.stdout).text();
  await p.exited;
  return { pid: p.pid, stdout };
}

function events(stdout: string): CallEvent[] {
  return stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as CallEvent);
}

describe("ecli run examples/uprobe", () => {
  test("the package has a bare uprobe and uretprobe", async () => {
    const json = await Bun.file(pkg).json();
    expect(json.meta.bpf_skel.progs).toEqual([
      { name: "add_entry", attach: "uprobe", link: true },
      { name: "add_return", attach: "uretprobe", link: true },
    ]);
  });

  test("arguments on entry and results on return, exactly, in call order", async () => {
    const run = await start(["-j", "--uprobe-binary", adder, "--uprobe-func", "add_numbers", pkg]);
    const child = await runAdder(0, [[2, 3], [-40, -2], [1_000_000_000_000, 7]]);
    expect(child.stdout).toBe("999999999970\n");
    await Bun.sleep(200);
    const done = await run.stop();
    expect(done.code).toBe(0);
    expect(events(done.stdout).filter((e) => e.pid === child.pid).map(({ pid: _, ...rest }) => rest)).toEqual([
      { is_return: 0, a: 2, b: 3, ret: 0 },
      { is_return: 1, a: 0, b: 0, ret: 5 },
      { is_return: 0, a: -40, b: -2, ret: 0 },
      { is_return: 1, a: 0, b: 0, ret: -42 },
      { is_return: 0, a: 1_000_000_000_000, b: 7, ret: 0 },
      { is_return: 1, a: 0, b: 0, ret: 1_000_000_000_007 },
    ]);
  });

  test("--pid keeps one process: another calling the same function is not seen", async () => {
    const watched = Bun.spawn([adder, "1500", "7", "8"], { stdout: "pipe" });
    const run = await start(["-j", "--uprobe-binary", adder, "--uprobe-func", "add_numbers", "--pid", String(watched.pid), pkg]);
    const other = await runAdder(0, [[1, 1]]);
    await watched.exited;
    await Bun.sleep(200);
    const done = await run.stop();
    expect(done.code).toBe(0);
    const seen = events(done.stdout);
    expect(seen.filter((e) => e.pid === other.pid)).toEqual([]);
    expect(seen).toEqual([
      { pid: watched.pid, is_return: 0, a: 7, b: 8, ret: 0 },
      { pid: watched.pid, is_return: 1, a: 0, b: 0, ret: 15 },
    ]);
  });

  test("a function the binary lacks, or no target at all: one clear line", async () => {
    const missing = await ecli(["run", "--uprobe-binary", adder, "--uprobe-func", "no_such_function", pkg]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`ecli: program add_entry (uprobe): the binary or the function does not exist (${adder}:no_such_function) [ENOENT]\n`);
    const none = await ecli(["run", pkg]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("ecli: attach program 'add_entry' (uprobe): EINVAL (invalid argument): the section names no binary and function: give them as options (ecli: --uprobe-binary, --uprobe-func)\n");
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
