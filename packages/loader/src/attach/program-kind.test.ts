import { describe, expect, test } from "bun:test";
import { programKind, sectionTarget } from "./program-kind.ts";

describe("programKind", () => {
  test.each([
    ["tp/sched/sched_process_exec", "tracepoint"],
    ["tracepoint/syscalls/sys_enter_kill", "tracepoint"],
    ["raw_tp/sched_process_exec", "raw_tp"],
    ["raw_tracepoint/sys_enter", "raw_tp"],
    ["tp_btf/sched_process_exec", "tp_btf"],
    ["kprobe/do_unlinkat", "kprobe"],
    ["kretprobe/do_unlinkat", "kretprobe"],
    ["uprobe", "uprobe"],
    ["uprobe//bin/bash:readline", "uprobe"],
    ["uretprobe.s//lib/libc.so.6:malloc", "uretprobe"],
    ["fentry/do_unlinkat", "fentry"],
    ["fexit/do_unlinkat", "fexit"],
    ["lsm/file_open", "lsm"],
    ["lsm.s/bprm_check_security", "lsm"],
    ["perf_event", "perf_event"],
    ["xdp", "xdp"],
    ["xdp.frags", "xdp"],
    ["tc", "tc"],
    ["classifier", "tc"],
    ["iter/task", "other"],
    ["socket", "other"],
  ])("%s is %s", (section, kind) => {
    expect(programKind(section)).toBe(kind as ReturnType<typeof programKind>);
  });

  test("sectionTarget is what follows the first slash", () => {
    expect(sectionTarget("fentry/do_unlinkat")).toBe("do_unlinkat");
    expect(sectionTarget("uprobe//bin/bash:readline")).toBe("/bin/bash:readline");
    expect(sectionTarget("xdp")).toBe("");
  });
});
