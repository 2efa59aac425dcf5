/**
 * End to end on the real kernel: `ecli build` compiles examples/printk, `ecli run --printk`
 * runs it with --target-pid set to this process and a unique --tag, this process makes
 * writes of known sizes to /dev/null, and exactly those lines must come out of the trace
 * pipe on ecli's stdout. The trace pipe is global, so lines are picked by the tag.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = join(ROOT, "examples/printk/printk.bpf.c");
const SIZES = [3, 17, 250, 4096];
let out: string;
let pkg: string;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-printk-"));
  const built = await ecli(["build", SOURCE, "-o", out]);
  expect(built.stderr).toContain("package.json");
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ecli run --printk examples/printk", () => {
  test("prints the bpf_printk lines of the writes this process makes, then releases everything", async () => {
    const tag = `pk${process.pid}t${Date.now() % 100000}`;
    const running = await RunningEcli.start(["--printk", pkg, "--target-pid", String(process.pid), "--tag", tag]);
    const fd = openSync("/dev/null", "w");
    try {
      for (const n of SIZES) expect(writeSync(fd, new Uint8Array(n))).toBe(n);
    } finally {
      closeSync(fd);
    }
    await Bun.sleep(400); // two polls of the trace pipe
    const { code, stdout, stderr } = await running.stop("SIGTERM");
    expect(stderr).not.toContain("error");
    expect(code).toBe(0);
    const ours = stdout.split("\n").filter((l) => l.includes(`${tag}: write fd=${fd} `));
    // Each line is the trace pipe's as-is: task-pid, CPU, flags, timestamp, then the message.
    for (const line of ours) expect(line).toMatch(/^\s*\S+-\d+\s+\[\d+\] \S+\s+\d+\.\d+: bpf_trace_printk: /);
    expect(ours.map((l) => l.slice(l.indexOf("bpf_trace_printk: ") + 18))).toEqual(
      SIZES.map((n) => `${tag}: write fd=${fd} count=${n}`),
    );
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("-j: each trace pipe line is a JSON object {printk: line}", async () => {
    const tag = `pj${process.pid}t${Date.now() % 100000}`;
    const running = await RunningEcli.start(["-j", "--printk", pkg, "--target-pid", String(process.pid), "--tag", tag]);
    const fd = openSync("/dev/null", "w");
    try {
      for (const n of SIZES) expect(writeSync(fd, new Uint8Array(n))).toBe(n);
    } finally {
      closeSync(fd);
    }
    await Bun.sleep(400);
    const { code, stdout } = await running.stop("SIGINT");
    expect(code).toBe(0);
    const objects = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { printk: string });
    expect(objects.every((o) => Object.keys(o).join() === "printk")).toBe(true);
    const ours = objects.map((o) => o.printk).filter((l) => l.includes(`${tag}: write fd=${fd} `));
    expect(ours.map((l) => l.slice(l.indexOf("bpf_trace_printk: ") + 18))).toEqual(SIZES.map((n) => `${tag}: write fd=${fd} count=${n}`));
  });

  test("ecli run --help documents --printk", async () => {
    const help = await ecli(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("  --printk                also print the kernel trace pipe (bpf_printk output) to stdout\n                          (with -j as {\"printk\": \"<line>\"})\n");
  });
});
