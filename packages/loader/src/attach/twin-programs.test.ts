import { describe, expect, test } from "bun:test";
import { chooseTwins, findTwinPairs } from "./twin-programs.ts";
import { fentryLoads } from "./tracing-support.ts";

const progs = [
  { name: "fentry_unlink", section: "fentry/do_unlinkat" },
  { name: "kprobe_unlink", section: "kprobe/do_unlinkat" },
  { name: "fexit_unlink", section: "fexit/do_unlinkat" },
  { name: "kretprobe_unlink", section: "kretprobe/do_unlinkat" },
  { name: "fentry_open", section: "fentry/do_sys_openat2" },
  { name: "tp_exec", section: "tp/sched/sched_process_exec" },
];

describe("twin programs", () => {
  test("pairs fentry with kprobe and fexit with kretprobe on the same function only", () => {
    expect(findTwinPairs(progs)).toEqual([
      { trampoline: progs[0], kprobe: progs[1], func: "do_unlinkat" },
      { trampoline: progs[2], kprobe: progs[3], func: "do_unlinkat" },
    ]);
  });

  test("keeps the trampoline program when it loads, the kprobe otherwise, with a notice", () => {
    const [pair] = findTwinPairs(progs);
    const [refused] = chooseTwins([pair], () => false);
    expect(refused.keep).toBe(progs[1]);
    expect(refused.notice).toBe(
      "skipping program fentry_unlink (fentry/do_unlinkat): this kernel refuses fentry programs; using its twin kprobe_unlink (kprobe/do_unlinkat)",
    );
    const [loads] = chooseTwins([pair], () => true);
    expect(loads.keep).toBe(progs[0]);
    expect(loads.notice).toBe(
      "skipping program kprobe_unlink (kprobe/do_unlinkat): this kernel loads fentry programs; using its twin fentry_unlink (fentry/do_unlinkat)",
    );
  });

  test("a function missing from vmlinux BTF never counts as fentry-capable", () => {
    expect(fentryLoads("no_such_kernel_function_xyz")).toBe(false);
  });
});
