/**
 * End to end: kinds this kernel refuses (kprobes are compiled out; fentry/fexit/LSM
 * fail to load with EPERM) give one clear line naming program, kind and reason, and
 * twin fentry/kprobe programs fall back with a notice.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

let out: string;
let before: KernelObjects;
const packages: Record<string, string> = {};

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-refusals-"));
  for (const name of ["kprobe-unlink", "kretprobe-unlink", "fentry-unlink", "fexit-unlink", "lsm-connect", "twin-unlink"]) {
    const built = await ecli(["build", join(ROOT, `examples/${name}/${name}.bpf.c`), "-o", join(out, name)]);
    expect(built.code).toBe(0);
    packages[name] = join(out, name, "package.json");
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("kinds this kernel refuses", () => {
  test("this kernel has no kprobes (the premise of these tests)", () => {
    expect(existsSync("/sys/bus/event_source/devices/kprobe")).toBe(false);
  });

  test("a kprobe program loads, then attaching it fails with one clear line", async () => {
    const done = await ecli(["run", packages["kprobe-unlink"]]);
    expect(done).toEqual({
      code: 1,
      stdout: "",
      stderr: "ecli: program kprobe_unlink (kprobe/do_unlinkat): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]\n",
    });
  });

  test("an fentry program is refused at load with one clear line", async () => {
    const done = await ecli(["run", packages["fentry-unlink"]]);
    expect(done).toEqual({
      code: 1,
      stdout: "",
      stderr: "ecli: program fentry_unlink (fentry/do_unlinkat): the kernel refuses to load fentry programs here (EPERM)\n",
    });
  });

  test.each([
    ["kretprobe-unlink", "ecli: program kretprobe_unlink (kretprobe/do_unlinkat): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]\n"],
    ["fexit-unlink", "ecli: program fexit_unlink (fexit/do_unlinkat): the kernel refuses to load fexit programs here (EPERM)\n"],
    ["lsm-connect", "ecli: program lsm_connect (lsm/socket_connect): the kernel refuses to load lsm programs here (EPERM)\n"],
  ])("%s is refused with one clear line", async (name, stderr) => {
    expect(await ecli(["run", packages[name]])).toEqual({ code: 1, stdout: "", stderr });
  });

  test("twins: fentry is skipped with a notice, the kprobe twin is tried and fails clearly", async () => {
    const done = await ecli(["run", packages["twin-unlink"]]);
    expect(done).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "ecli: notice: skipping program fentry_unlink (fentry/do_unlinkat): this kernel refuses fentry programs; using its twin kprobe_unlink (kprobe/do_unlinkat)\n" +
        "ecli: program kprobe_unlink (kprobe/do_unlinkat): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]\n",
    });
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
