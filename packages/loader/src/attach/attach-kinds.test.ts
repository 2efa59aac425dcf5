/**
 * attachAll by kind on the real kernel: perf_event links per CPU that really sample,
 * twin selection agreeing with what the kernel loads, and everything released.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { compileFixture } from "../../fixtures/compile-fixture.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../../fixtures/kernel-objects.ts";
import type { BpfObject } from "../bpf-object.ts";
import { AttachError, LoadError } from "../errors.ts";
import { openObject } from "../open-object.ts";
import { kprobesAvailable } from "./refusal.ts";
import { fentryLoads } from "./tracing-support.ts";

const opened: BpfObject[] = [];
function open(fixture: string, name: string): BpfObject {
  const obj = openObject(compileFixture(fixture), { name });
  opened.push(obj);
  return obj;
}
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("attachAll by kind", () => {
  test("perf_event: one link per CPU asked for; samples arrive; close releases all", async () => {
    const before = kernelObjects("ldr_kinds");
    const obj = open("attach-kinds", "ldr_kinds");
    obj.load();
    obj.attachAll({ perfEvent: { frequency: 999, cpus: [0, 1] } });
    const ours = newSince(before, kernelObjects("ldr_kinds"));
    expect(ours.progs.length).toBe(2);
    expect(ours.links.length).toBe(3); // two perf_event links + the raw_tp link
    const started = performance.now();
    while (performance.now() - started < 300) Math.sqrt(started); // keep a CPU busy
    const samples = new DataView(obj.readSection(".bss", 0, 8).buffer).getBigUint64(0, true);
    expect(samples).toBeGreaterThan(50n);
    obj.close();
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("a bad frequency is an AttachError naming the program; nothing stays attached", () => {
    const before = kernelObjects("ldr_kinds");
    const obj = open("attach-kinds", "ldr_kinds");
    obj.load();
    const error = thrown(() => obj.attachAll({ perfEvent: { frequency: 0 } }));
    expect(error).toBeInstanceOf(AttachError);
    expect((error as AttachError).message).toBe("attach program 'ldr_kinds_perf' (perf_event): EINVAL (invalid argument): frequency 0 is not a positive integer");
    expect(newSince(before, kernelObjects("ldr_kinds")).links).toEqual([]);
  });

  test("twins: the probe agrees with the kernel, and the chosen program is the one that loads", () => {
    // Whatever this kernel is, fentryLoads must match loading a real fentry program.
    const alone = open("fentry-twin", "ldr_twin_alone");
    alone.setAutoload("ldr_twin_kprobe", false);
    let loads = true;
    try {
      alone.load();
    } catch (error) {
      expect(error).toBeInstanceOf(LoadError);
      expect((error as LoadError).message).toBe("program ldr_twin_fentry (fentry/do_unlinkat): the kernel refuses to load fentry programs here (EPERM)");
      loads = false;
    }
    expect(fentryLoads("do_unlinkat")).toBe(loads);

    const notices: string[] = [];
    const obj = open("fentry-twin", "ldr_twin");
    const [choice] = obj.preferWorkingTwins((line) => notices.push(line));
    expect(choice.keep.name).toBe(loads ? "ldr_twin_fentry" : "ldr_twin_kprobe");
    expect(notices).toEqual([choice.notice]);
    obj.load();
    if (!loads && !kprobesAvailable()) {
      const error = thrown(() => obj.attachAll());
      expect(error).toBeInstanceOf(AttachError);
      expect((error as AttachError).message).toBe("program ldr_twin_kprobe (kprobe/do_unlinkat): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]");
    } else {
      obj.attachAll();
    }
  });
});
