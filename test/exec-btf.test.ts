/**
 * End to end: examples/exec-btf sees sched_process_exec through a raw tracepoint and
 * a BTF tracepoint; both report the exec of a child this test starts exactly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

interface ExecEvent { source: number; pid: number; old_pid: number; filename: string }

let out: string;
let pkg: string;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-exec-btf-"));
  const built = await ecli(["build", join(ROOT, "examples/exec-btf/exec-btf.bpf.c"), join(ROOT, "examples/exec-btf/exec-btf.bpf.h"), "-o", out]);
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ecli run examples/exec-btf", () => {
  test("the package has a raw_tp and a tp_btf program", async () => {
    const json = await Bun.file(pkg).json();
    expect(json.meta.bpf_skel.progs).toEqual([
      { name: "raw_exec", attach: "raw_tp/sched_process_exec", link: true },
      { name: "btf_exec", attach: "tp_btf/sched_process_exec", link: true },
    ]);
  });

  test("an exec is reported once by each, with pid, old pid and file name", async () => {
    const run = await RunningEcli.start(["-j", pkg]);
    let pid = 0;
    try {
      const child = Bun.spawn(["/usr/bin/true"], { stdout: "ignore" });
      pid = child.pid;
      await child.exited;
      await Bun.sleep(200);
    } finally {
      const done = await run.stop();
      expect(done.code).toBe(0);
      const mine = done.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ExecEvent).filter((e) => e.pid === pid);
      expect(mine.sort((a, b) => a.source - b.source)).toEqual([
        { source: 1, pid, old_pid: pid, filename: "/usr/bin/true" },
        { source: 2, pid, old_pid: pid, filename: "/usr/bin/true" },
      ]);
    }
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
