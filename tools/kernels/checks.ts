/**
 * The checks of the kernel matrix. Each has a shell fragment for the driver (run on every
 * kernel: it starts `ecli run`, triggers events with busybox programs and notes the facts
 * the expectation needs, such as pids) and a `verify` that asserts, in TypeScript, exactly
 * what ecli must have printed on that kernel: decoded events where the kernel allows the
 * program's kind, the one-line refusal where it does not.
 */
import { expect } from "bun:test";
import type { CheckRun } from "./console.ts";
import type { MatrixKernel, RefusableKind } from "./kernels.ts";

/** A package the checks run: built by `ecli build <source> [header]` into PKGS/<name>/. */
export interface PackageSource {
  name: string;
  source: string;
  header?: string;
}

export interface Check {
  name: string;
  /** Driver fragment: may use $ECLI, $PKGS, $BIN, $WORK and the prelude's functions. */
  script: string;
  verify(run: CheckRun, kernel: MatrixKernel): void;
  /**
   * The decoded results with what differs between runs (pids, paths) named instead:
   * they must be equal on every kernel of the matrix.
   */
  portable?(run: CheckRun): unknown;
}

/** A user-space program the checks run, compiled on the host with clang into PKGS/<output>. */
export interface ProgramSource {
  source: string;
  output: string;
}

const probes = (file: string) => `tools/kernels/probes/${file}`;

export const PACKAGES: PackageSource[] = [
  { name: "bootstrap", source: "examples/bootstrap/bootstrap.bpf.c", header: "examples/bootstrap/bootstrap.bpf.h" },
  { name: "alltypes-ring", source: "examples/alltypes/alltypes-ring.bpf.c", header: "examples/alltypes/alltypes.bpf.h" },
  { name: "alltypes-perf", source: "examples/alltypes/alltypes-perf.bpf.c", header: "examples/alltypes/alltypes.bpf.h" },
  { name: "histogram", source: "examples/histogram/histogram.bpf.c" },
  ...["kprobe-unlink", "kretprobe-unlink", "fentry-unlink", "fexit-unlink", "lsm-connect", "twin-unlink"].map((name) => ({
    name,
    source: `examples/${name}/${name}.bpf.c`,
  })),
  ...["kprobe", "kretprobe", "fentry", "fexit"].map((kind) => ({
    name: `probe-${kind}`,
    source: probes(`probe-${kind}.bpf.c`),
    header: probes("unlink-event.bpf.h"),
  })),
  { name: "probe-lsm", source: probes("probe-lsm.bpf.c"), header: probes("connect-event.bpf.h") },
  { name: "uprobe", source: "examples/uprobe/uprobe.bpf.c", header: "examples/uprobe/uprobe.bpf.h" },
];

export const PROGRAMS: ProgramSource[] = [{ source: "test/fixtures/adder.c", output: "uprobe/adder" }];

/** ecli's -v line, with its timing taken out so it compares exactly. */
const ATTACHED = (n: number) => `ecli: ${n} programs attached <ms> ms after start`;
const withoutTimes = (lines: string[]) => lines.map((l) => l.replace(/attached [\d.]+ ms after start/, "attached <ms> ms after start"));

/** The line ecli prints when this kernel refuses a program of `kind`. */
export function refusalLine(kind: RefusableKind, program: string, section: string): string {
  if (kind === "kprobe" || kind === "kretprobe")
    return `ecli: program ${program} (${section}): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]`;
  return `ecli: program ${program} (${section}): the kernel refuses to load ${kind} programs here (EPERM)`;
}

/** The run failed with exactly the refusal line. */
function expectRefused(run: CheckRun, kind: RefusableKind, program: string, section: string): void {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: [], stderr: [refusalLine(kind, program, section)] });
}

/** Parsed JSON lines of the run's stdout. */
const events = (run: CheckRun) => run.stdout.filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const ofPid = (run: CheckRun, pid: string) => events(run).filter((e) => e.pid === Number(pid));

/**
 * Runs `command` as a child of the driver and notes its pid as KINFO <check> <key>. The
 * child writes nothing before it execs (its comm is the command's name), so a write(2)
 * histogram sees only the command's own writes.
 */
const noted = (check: string, key: string, command: string) => `${command} 2>/dev/null & kinfo ${check} ${key} $!; wait $!`;

/** Unlinks one file (succeeds) and one directory (EISDIR) by pid-noted busybox `unlink`. */
function unlinkTrigger(check: string): string {
  return [
    `touch "$WORK/${check}.file"; mkdir "$WORK/${check}.dir"`,
    `kinfo ${check} work "$WORK"`,
    noted(check, "file-pid", `"$BIN/unlink" "$WORK/${check}.file"`),
    noted(check, "dir-pid", `"$BIN/unlink" "$WORK/${check}.dir"`),
  ].join("\n");
}

const EISDIR = -21;
const AT_FDCWD = -100;

/** A probe of tools/kernels/probes: each unlink decoded exactly (what entry and exit probes can see). */
function unlinkProbe(kind: "kprobe" | "kretprobe" | "fentry" | "fexit"): Check {
  const name = `probe-${kind}`;
  const atExit = kind === "kretprobe" || kind === "fexit";
  const seesArgs = kind !== "kretprobe";
  return {
    name,
    script: `kcheck_start ${name} -j "$PKGS/${name}/package.json"\n${unlinkTrigger(name)}\nkcheck_stop`,
    verify(run, kernel) {
      if (kernel.refuses.includes(kind)) return expectRefused(run, kind, `probe_${kind}`, `${kind}/do_unlinkat`);
      expect(run.code).toBe(0);
      const work = run.info.work;
      const event = (pid: string, target: string, ret: number) => ({
        pid: Number(pid),
        dfd: seesArgs ? AT_FDCWD : 0,
        ret: atExit ? ret : 0,
        comm: "unlink",
        filename: seesArgs ? `${work}/${target}` : "",
      });
      expect(ofPid(run, run.info["file-pid"])).toEqual([event(run.info["file-pid"], `${name}.file`, 0)]);
      expect(ofPid(run, run.info["dir-pid"])).toEqual([event(run.info["dir-pid"], `${name}.dir`, EISDIR)]);
    },
  };
}

/** An attach-only example of examples/: attaches (and runs until stopped), or the refusal. */
function attachOnlyExample(example: string, kind: RefusableKind, program: string, section: string): Check {
  return {
    name: example,
    script: `kcheck_start ${example} "$PKGS/${example}/package.json"\n${unlinkTrigger(example)}\nkcheck_stop`,
    verify(run, kernel) {
      if (kernel.refuses.includes(kind)) return expectRefused(run, kind, program, section);
      expect({ code: run.code, stdout: run.stdout, stderr: withoutTimes(run.stderr) }).toEqual({
        code: 0,
        stdout: [],
        stderr: [ATTACHED(1), "ecli: the package exports no events: running until stopped"],
      });
    },
  };
}

/** The event examples/alltypes sends for a kill(pid, 0) numbered `seq`, with FLAGS set. */
function alltypesLine(seq: number): string {
  return (
    '{"u8v":255,"s8v":-128,"u16v":65535,"s16v":-32768,"u32v":4294967295,"s32v":-2147483648,' +
    '"u64v":18446744073709551615,"s64v":-9223372036854775808,' +
    '"u128v":340282366920938463463374607431768211455,"s128v":-170141183460469231731687303715884105728,' +
    '"flag":true,"label":"matrix","tricky":"q\\"b\\\\c\\n\\u0001","raw":"\uFFFDa",' +
    '"nested":{"a":7,"b":70000},"as_u32":1069547520,"as_f32":1.5,"ints":[1,-2,3,-4],' +
    '"grid":[[0,1,2],[10,11,12]],"color":"BLUE","wide":"WIDE_HUGE","ratio":1.5,"scale":-0.125,' +
    `"ptr":3735928559,"bit_a":1,"bit_b":5,"bit_c":4095,"bit_s":-3,"chained":123456,"magic":18446744073709551615,"seq":${seq}}`
  );
}

/** examples/alltypes through one buffer: the driver shell probes itself with kill -0 three times. */
function alltypes(buffer: "ring" | "perf"): Check {
  const name = `alltypes-${buffer}`;
  const flags = `--label matrix --scale -0.125 --magic 18446744073709551615 --target-pid $$`;
  return {
    name,
    script: `kcheck_start ${name} -j "$PKGS/${name}/package.json" ${flags}\nkill -0 $$; kill -0 $$; kill -0 $$\nkcheck_stop`,
    // A perf event array has a ring per CPU, so its events may come out of order if the
    // shell moves between CPUs; each line carries its sequence number.
    portable: (run) => (buffer === "perf" ? [...run.stdout].sort() : run.stdout),
    verify(run) {
      const stdout = buffer === "perf" ? [...run.stdout].sort() : run.stdout;
      expect({ code: run.code, stdout }).toEqual({ code: 0, stdout: [alltypesLine(0), alltypesLine(1), alltypesLine(2)] });
    },
  };
}

const bootstrap: Check = {
  name: "bootstrap",
  // The driver shell is the target: its child `false` execs and exits with 1.
  script: [
    `kcheck_start bootstrap -j "$PKGS/bootstrap/package.json" --target-pid $$`,
    `"$BIN/false" & kchild=$!`,
    `wait $kchild`,
    `kinfo bootstrap pid $kchild; kinfo bootstrap ppid $$; kinfo bootstrap path "$BIN/false"`,
    `kcheck_stop`,
  ].join("\n"),
  // The child's events, with its pid, its parent's and its path named by what they are;
  // the exit event's duration varies: it must be positive and under ten seconds.
  portable: (run) =>
    ofPid(run, run.info.pid).map((e) => ({
      ...e,
      pid: e.pid === Number(run.info.pid) ? "<child>" : e.pid,
      ppid: e.ppid === Number(run.info.ppid) ? "<driver>" : e.ppid,
      filename: e.filename === run.info.path ? "<path of false>" : e.filename,
      duration_ns: e.exit_event ? Number(e.duration_ns) > 0 && Number(e.duration_ns) < 10e9 : e.duration_ns,
    })),
  verify(run) {
    expect(run.code).toBe(0);
    expect(this.portable!(run)).toEqual([
      { pid: "<child>", ppid: "<driver>", exit_code: 0, duration_ns: 0, comm: "false", filename: "<path of false>", exit_event: false },
      { pid: "<child>", ppid: "<driver>", exit_code: 1, duration_ns: true, comm: "false", filename: "", exit_event: true },
    ]);
  },
};

interface HistLine {
  map: string;
  key: { pid: number; fd: number };
  value: { bytes: number; slots: number[] };
  hist: { unit: string };
}

/** Each traced process's readings summed per descriptor (an interval may end between two writes). */
function histogramOf(lines: HistLine[], pid: string) {
  const ours = lines.filter((l) => l.key.pid === Number(pid));
  const byFd: Record<number, { map: string; unit: string; bytes: number; slots: number[] }> = {};
  for (const l of ours) {
    const sum = (byFd[l.key.fd] ??= { map: l.map, unit: l.hist.unit, bytes: 0, slots: Array(32).fill(0) });
    sum.bytes += l.value.bytes;
    l.value.slots.forEach((n, i) => (sum.slots[i] += n));
  }
  return byFd;
}

const histogram: Check = {
  name: "histogram",
  // Two dd processes write to /dev/null (their fd 1): 3 × 4096 bytes, then 5 × 100 bytes.
  script: [
    `kcheck_start histogram -j "$PKGS/histogram/package.json"`,
    noted("histogram", "big-pid", `"$BIN/dd" if=/dev/zero of=/dev/null bs=4096 count=3 status=none`),
    noted("histogram", "small-pid", `"$BIN/dd" if=/dev/zero of=/dev/null bs=100 count=5 status=none`),
    `kcheck_stop`,
  ].join("\n"),
  portable(run) {
    const lines = run.stdout.filter(Boolean).map((l) => JSON.parse(l) as HistLine);
    return { big: histogramOf(lines, run.info["big-pid"]), small: histogramOf(lines, run.info["small-pid"]) };
  },
  verify(run) {
    expect(run.code).toBe(0);
    const slots = (slot: number, count: number) => Array.from({ length: 32 }, (_, i) => (i === slot ? count : 0));
    expect(this.portable!(run)).toEqual({
      big: { 1: { map: "hists", unit: "bytes", bytes: 12288, slots: slots(12, 3) } },
      small: { 1: { map: "hists", unit: "bytes", bytes: 500, slots: slots(6, 5) } },
    });
  },
};

/** examples/uprobe on test/fixtures/adder.c (built on the host): arguments and results, in call order. */
const uprobe: Check = {
  name: "uprobe",
  script: [
    `kcheck_start uprobe -j --uprobe-binary "$PKGS/uprobe/adder" --uprobe-func add_numbers "$PKGS/uprobe/package.json"`,
    noted("uprobe", "pid", `"$PKGS/uprobe/adder" 0 2 3 -40 -2 1000000000000 7 >"$WORK/adder.out"`),
    `kinfo uprobe sum "$(cat "$WORK/adder.out")"`,
    `kcheck_stop`,
  ].join("\n"),
  portable: (run) => ({ sum: run.info.sum, calls: ofPid(run, run.info.pid).map(({ pid: _, ...rest }) => rest) }),
  verify(run) {
    expect(run.code).toBe(0);
    expect(this.portable!(run)).toEqual({
      sum: "999999999970",
      calls: [
        { is_return: 0, a: 2, b: 3, ret: 0 },
        { is_return: 1, a: 0, b: 0, ret: 5 },
        { is_return: 0, a: -40, b: -2, ret: 0 },
        { is_return: 1, a: 0, b: 0, ret: -42 },
        { is_return: 0, a: 1_000_000_000_000, b: 7, ret: 0 },
        { is_return: 1, a: 0, b: 0, ret: 1_000_000_000_007 },
      ],
    });
  },
};

/** examples/lsm-connect refuses connections to --blocked-port: busybox nc says so. */
const lsmExample: Check = {
  name: "lsm-connect",
  script: [
    `kcheck_start lsm-connect "$PKGS/lsm-connect/package.json" --blocked-port 47911`,
    `kinfo lsm-connect blocked "$("$BIN/nc" 127.0.0.1 47911 </dev/null 2>&1)"`,
    `kinfo lsm-connect other "$("$BIN/nc" 127.0.0.1 47912 </dev/null 2>&1)"`,
    `kcheck_stop`,
  ].join("\n"),
  verify(run, kernel) {
    if (kernel.refuses.includes("lsm")) return expectRefused(run, "lsm", "lsm_connect", "lsm/socket_connect");
    expect({ code: run.code, stdout: run.stdout, stderr: withoutTimes(run.stderr) }).toEqual({
      code: 0,
      stdout: [],
      stderr: [ATTACHED(1), "ecli: the package exports no events: running until stopped"],
    });
    expect(run.info.blocked).toBe("nc: can't connect to remote host (127.0.0.1): Operation not permitted");
    expect(run.info.other).toBe("nc: can't connect to remote host (127.0.0.1): Connection refused");
  },
};

const LOOPBACK = 0x0100007f; // 127.0.0.1 as the kernel stores it, read as a little-endian u32

const lsmProbe: Check = {
  name: "probe-lsm",
  script: [
    `kcheck_start probe-lsm -j "$PKGS/probe-lsm/package.json"`,
    noted("probe-lsm", "pid", `"$BIN/nc" 127.0.0.1 47913 </dev/null`),
    `kcheck_stop`,
  ].join("\n"),
  verify(run, kernel) {
    if (kernel.refuses.includes("lsm")) return expectRefused(run, "lsm", "probe_lsm", "lsm/socket_connect");
    expect(run.code).toBe(0);
    expect(ofPid(run, run.info.pid)).toEqual([{ pid: Number(run.info.pid), family: 2, port: 47913, addr: LOOPBACK, comm: "nc" }]);
  },
};

/**
 * Twin fentry/kprobe programs: the trampoline one where it loads, else the kprobe one.
 * While it runs, the driver notes which of the twins the kernel holds.
 */
const twins: Check = {
  name: "twin-unlink",
  script: [
    `kcheck_start twin-unlink "$PKGS/twin-unlink/package.json"`,
    `kinfo twin-unlink loaded "$(bpftool prog list | grep -o 'name [a-z_]*_unlink' | cut -d' ' -f2 | sort | tr '\\n' ' ')"`,
    unlinkTrigger("twin-unlink"),
    `kcheck_stop`,
  ].join("\n"),
  verify(run, kernel) {
    const fentry = "fentry_unlink (fentry/do_unlinkat)";
    const kprobe = "kprobe_unlink (kprobe/do_unlinkat)";
    const refusedTrampoline = kernel.refuses.includes("fentry");
    const keep = refusedTrampoline ? "kprobe_unlink" : "fentry_unlink";
    const notice = refusedTrampoline
      ? `ecli: notice: skipping program ${fentry}: this kernel refuses fentry programs; using its twin ${kprobe}`
      : `ecli: notice: skipping program ${kprobe}: this kernel loads fentry programs; using its twin ${fentry}`;
    if (refusedTrampoline && kernel.refuses.includes("kprobe")) {
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 1,
        stdout: [],
        stderr: [notice, refusalLine("kprobe", "kprobe_unlink", "kprobe/do_unlinkat")],
      });
      return;
    }
    expect({ code: run.code, stdout: run.stdout, notice: run.stderr[0], loaded: run.info.loaded.trim() }).toEqual({ code: 0, stdout: [], notice, loaded: keep });
    expect(run.stderr.slice(1).some((l) => /^ecli: \d+ programs attached/.test(l))).toBe(true);
  },
};

export const CHECKS: Check[] = [
  bootstrap,
  alltypes("ring"),
  alltypes("perf"),
  histogram,
  uprobe,
  attachOnlyExample("kprobe-unlink", "kprobe", "kprobe_unlink", "kprobe/do_unlinkat"),
  attachOnlyExample("kretprobe-unlink", "kretprobe", "kretprobe_unlink", "kretprobe/do_unlinkat"),
  attachOnlyExample("fentry-unlink", "fentry", "fentry_unlink", "fentry/do_unlinkat"),
  attachOnlyExample("fexit-unlink", "fexit", "fexit_unlink", "fexit/do_unlinkat"),
  lsmExample,
  twins,
  unlinkProbe("kprobe"),
  unlinkProbe("kretprobe"),
  unlinkProbe("fentry"),
  unlinkProbe("fexit"),
  lsmProbe,
];

/** The driver script: the prelude, every check, then the objects loaded before and after. */
export function driverScript(prelude: string, checks: Check[] = CHECKS): string {
  return [
    prelude,
    `kbefore=$(kobjects)`,
    ...checks.map((c) => `# ${c.name}\n${c.script}`),
    `# What is loaded once the kernel has freed what the runs released (an RCU grace period).`,
    `ktries=0`,
    `while [ "$(kobjects)" != "$kbefore" ] && [ $ktries -lt 30 ]; do sleep 0.1; ktries=$((ktries + 1)); done`,
    `kinfo matrix objects-before "$kbefore"`,
    `kinfo matrix objects-after "$(kobjects)"`,
    "",
  ].join("\n");
}
