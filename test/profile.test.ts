/**
 * End to end: examples/profile, a perf_event program on a CPU clock per CPU
 * (`--freq`, `--cpus`); samples of a busy child process arrive, from the CPUs asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

interface Sample { pid: number; cpu: number; comm: string }

let out: string;
let pkg: string;
let before: KernelObjects;
const started: RunningEcli[] = [];

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-profile-"));
  const built = await ecli(["build", join(ROOT, "examples/profile/profile.bpf.c"), join(ROOT, "examples/profile/profile.bpf.h"), "-o", out]);
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
});

afterEach(async () => {
  for (const run of started.splice(0)) {
    if (run.proc.exitCode === null) run.proc.kill("SIGINT");
    await run.proc.exited;
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A shell spinning for `ms` milliseconds; resolves to its pid when it has ended. */
async function busyChild(ms: number): Promise<number> {
  const p = Bun.spawn(["sh", "-c", "while :; do :; done"], { stdout: "ignore" });
  await Bun.sleep(ms);
  p.kill("SIGKILL");
  await p.exited;
  return p.pid;
}

function samples(stdout: string): Sample[] {
  return stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Sample);
}

describe("ecli run examples/profile", () => {
  test("the package has one perf_event program", async () => {
    const json = await Bun.file(pkg).json();
    expect(json.meta.bpf_skel.progs).toEqual([{ name: "on_sample", attach: "perf_event", link: true }]);
  });

  test("--freq 199: a busy child is sampled about 199 times a second", async () => {
    const run = await RunningEcli.start(["-j", "--freq", "199", pkg]);
    started.push(run);
    const pid = await busyChild(1000);
    const done = await run.stop();
    expect(done.code).toBe(0);
    const mine = samples(done.stdout).filter((s) => s.pid === pid);
    expect(mine.every((s) => s.comm === "sh")).toBe(true);
    // One second of one busy CPU at 199 Hz; scheduling and start-up leave some slack.
    expect(mine.length).toBeGreaterThan(100);
    expect(mine.length).toBeLessThan(260);
  });

  test("--cpus 0 samples on CPU 0 only", async () => {
    const run = await RunningEcli.start(["-j", "--freq", "99", "--cpus", "0", pkg]);
    started.push(run);
    await Promise.all([busyChild(800), busyChild(800)]); // two spinners: one is on CPU 0
    const done = await run.stop();
    expect(done.code).toBe(0);
    const all = samples(done.stdout);
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all.map((s) => s.cpu))).toEqual(new Set([0]));
  });

  test("bad --freq and --cpus are usage errors; an absent CPU is one clear line", async () => {
    expect(await ecli(["run", "--freq", "0", pkg])).toMatchObject({ code: 2, stderr: 'ecli: --freq takes an integer of at least 1, not "0"\n' });
    expect(await ecli(["run", "--cpus", "3-1", pkg])).toMatchObject({ code: 2, stderr: 'ecli: --cpus takes a list such as 0,2-3, not "3-1"\n' });
    const absent = await ecli(["run", "--cpus", "4095", pkg]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe("ecli: attach program 'on_sample' (perf_event): EINVAL (invalid argument): perf_event_open (cpu clock at 49 Hz, cpu 4095): EINVAL (invalid argument)\n");
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
