/**
 * End to end on the real kernel: `ecli build` compiles examples/stacktrace, the package's
 * ring buffer gets the `stack_trace` interpreter, and the stacks of a process this test
 * starts (a gcc -O0 -fno-omit-frame-pointer program sleeping in level_three ← level_two ←
 * level_one ← main) come back symbolised, through the loader, the decoder and the CLI's
 * stack-trace formatter (the same parts `ecli run` uses).
 */
import { $ } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { btfFromElf, createDecoder, globalVariables, parseElf, type DecodedValue } from "@eunomia/decoder";
import { openObject, readPackage, RingBufferReader, type Interpreter } from "@eunomia/loader";
import { createStackTraceFormatter } from "../packages/cli/src/stack-trace.ts";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = join(ROOT, "examples/stacktrace/stacktrace.bpf.c");
const HEADER = join(ROOT, "examples/stacktrace/stacktrace.bpf.h");

/*
 * level_three makes the nanosleep system call itself: glibc's nanosleep wrapper keeps no
 * frame pointer, so a frame-pointer walk that starts inside it skips its caller.
 */
const SLEEPER_C = `
#include <sys/syscall.h>
#include <time.h>
__attribute__((noinline)) void level_three(long ns) {
  struct timespec ts = { 0, ns };
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_nanosleep), "D"(&ts), "S"(0L) : "rcx", "r11", "memory");
}
__attribute__((noinline)) void level_two(long ns) { level_three(ns); }
__attribute__((noinline)) void level_one(long ns) { level_two(ns); }
int main(void) {
  for (int i = 0; i < 1000; i++) level_one(10 * 1000 * 1000); /* 10 s at most; the test kills it */
  return 0;
}
`;

let dir: string;
let pkgPath: string;
let sleeper: string;
let before: KernelObjects;
/** The JSON lines of the symbolised-stacks test, checked by the next test. */
let formattedJson: string[] = [];

interface Captured { events: Record<string, DecodedValue>[]; pid: number; interpreter: Interpreter | undefined }

/** Builds the package and gives its ring buffer map the stack_trace interpreter, unless the compiler already did. */
async function buildPackage(): Promise<string> {
  const built = await ecli(["build", SOURCE, HEADER, "-o", dir]);
  expect(built.code).toBe(0);
  const path = join(dir, "package.json");
  const json = await Bun.file(path).json();
  const events = json.meta.bpf_skel.maps.find((m: { ident: string }) => m.ident === "events");
  events.intepreter ??= { stack_trace: { with_symbols: true } };
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/**
 * Loads the package with target_pid = a fresh sleeper, collects its events for `ms`,
 * releases every kernel object, then hands the events to `whileAlive` before the sleeper
 * is killed (its user stacks are symbolised through its /proc/<pid>/maps).
 */
async function capture<T>(ms: number, whileAlive: (got: Captured) => T): Promise<T> {
  const pkg = readPackage(await Bun.file(pkgPath).text());
  const elf = parseElf(pkg.object);
  const btf = btfFromElf(elf);
  const eventType = btf.find(pkg.meta.export_types[0].name, "struct")!;
  const decode = createDecoder(btf, eventType.id);
  const targetPid = globalVariables(elf, btf).find((v) => v.name === "target_pid")!;
  const interpreter = pkg.meta.bpf_skel.maps?.find((m) => m.ident === "events")?.intepreter;
  const proc = Bun.spawn([sleeper], { stdout: "ignore", stderr: "inherit" });
  try {
    const events: Record<string, DecodedValue>[] = [];
    {
      const value = new Uint8Array(4);
      new DataView(value.buffer).setInt32(0, proc.pid, true);
      using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
      obj.writeSection(targetPid.section, targetPid.offset, value);
      obj.load();
      obj.attachAll();
      using ring = new RingBufferReader(obj.mapFd("events"));
      const onRecord = (data: Uint8Array) => void events.push(decode(data) as Record<string, DecodedValue>);
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) if (await ring.wait(50)) ring.drain(onRecord);
      ring.drain(onRecord);
    }
    expect(proc.exitCode).toBeNull(); // still sleeping
    return whileAlive({ events, pid: proc.pid, interpreter });
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

/** The ids among `ids` that still exist and belong to this example's object (by program/map name). */
async function ours(ids: { progs: number[]; maps: number[]; links: number[] }): Promise<typeof ids> {
  type Shown = { name?: string; prog_id?: number; max_entries?: number };
  const show = async (kind: string, id: number): Promise<Shown | undefined> => {
    const r = await $`bpftool -j ${kind} show id ${id}`.nothrow().quiet();
    return r.exitCode === 0 ? (JSON.parse(r.stdout.toString()) as Shown) : undefined;
  };
  const ourMap = (m: Shown | undefined) =>
    m?.name === "stacktra.rodata" || m?.name === "stacktra.bss" || (m?.name === "events" && m.max_entries === 256 * 1024);
  const progs: number[] = [];
  for (const id of ids.progs) if ((await show("prog", id))?.name === "off_cpu") progs.push(id);
  const maps: number[] = [];
  for (const id of ids.maps) if (ourMap(await show("map", id))) maps.push(id);
  const links: number[] = [];
  for (const id of ids.links) {
    const progId = (await show("link", id))?.prog_id;
    if (progId !== undefined && (await show("prog", progId))?.name === "off_cpu") links.push(id);
  }
  return { progs, maps, links };
}

beforeAll(async () => {
  before = await kernelObjects();
  dir = realpathSync(mkdtempSync(join(tmpdir(), "ecli-stacktrace-")));
  writeFileSync(join(dir, "sleeper.c"), SLEEPER_C);
  sleeper = join(dir, "sleeper");
  const cc = Bun.spawnSync(["gcc", "-O0", "-fno-omit-frame-pointer", "-g", "-o", sleeper, join(dir, "sleeper.c")]);
  if (cc.exitCode !== 0) throw new Error(`gcc failed: ${cc.stderr.toString()}`);
  pkgPath = await buildPackage();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("examples/stacktrace", () => {
  test("builds into a package whose event has the original profile example's shape", async () => {
    const meta = (await Bun.file(pkgPath).json()).meta;
    expect(meta.bpf_skel.progs).toEqual([{ name: "off_cpu", attach: "tp/sched/sched_switch", link: true }]);
    expect(meta.export_types[0]).toMatchObject({ name: "stacktrace_event", size: 2080 });
    expect(meta.export_types[0].members.map((m: { name: string }) => m.name)).toEqual(["pid", "cpu_id", "comm", "kstack_sz", "ustack_sz", "kstack", "ustack"]);
    expect(meta.bpf_skel.maps.find((m: { ident: string }) => m.ident === "events").intepreter).toEqual({ stack_trace: { with_symbols: true } });
  });

  test("prints symbolised kernel and user stacks of a known process, as the original does", async () => {
    const { events, pid, text, json } = await capture(700, (got) => {
      const conf = typeof got.interpreter === "object" ? got.interpreter.stack_trace : undefined;
      expect(conf).toBeDefined();
      const fmt = createStackTraceFormatter({ fieldMap: conf!.field_map, withSymbols: conf!.with_symbols ?? true });
      return { ...got, text: got.events.map((e) => fmt.format(e, "text")), json: got.events.map((e) => fmt.format(e, "json")) };
    });
    formattedJson = json;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.pid === pid && e.comm === "sleeper")).toBe(true);
    const blocks = text.filter(Boolean);
    expect(blocks.length).toBeGreaterThan(0);
    // A switch inside nanosleep: the syscall's kernel path and the user call chain, in order.
    const sleeping = blocks.find((b) => /nanosleep/.test(b.split("Userspace:")[0]) && b.includes("level_three"));
    expect(sleeping).toBeDefined();
    const lines = sleeping!.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^COMM: sleeper \\(pid=${pid}\\) @ CPU \\d+$`));
    const kernelStart = lines.indexOf("Kernel:");
    const userStart = lines.indexOf("Userspace:");
    expect(kernelStart).toBe(1);
    expect(userStart).toBeGreaterThan(kernelStart);
    const frame = /^ {2}(\d+) \[<([0-9a-f]{16})>\](?: (\S+)\+0x([0-9a-f]+))?$/;
    const kernel = lines.slice(kernelStart + 1, userStart).map((l) => frame.exec(l)!);
    const user = lines.slice(userStart + 1).filter(Boolean).map((l) => frame.exec(l)!);
    expect(kernel.every(Boolean) && user.every(Boolean)).toBe(true);
    kernel.forEach((m, i) => expect(Number(m[1])).toBe(i));
    const kNames = kernel.map((m) => m[3]);
    const nanosleepAt = kNames.findIndex((n) => /nanosleep/.test(n ?? ""));
    const syscallAt = kNames.indexOf("do_syscall_64");
    expect(nanosleepAt).toBeGreaterThanOrEqual(0);
    expect(syscallAt).toBeGreaterThan(nanosleepAt);
    // The top frames are the scheduler (sometimes under the tracepoint's own __traceiter_sched_switch).
    expect(kNames.slice(0, 3).some((n) => /^(__)?schedule$/.test(n ?? ""))).toBe(true);
    const uNames = user.map((m) => m[3]);
    expect(uNames.slice(0, 4)).toEqual(["level_three", "level_two", "level_one", "main"]);
    expect(lines.at(-1)).toBe(""); // the block ends in a newline
  });

  test("gives the same stacks as JSON objects", () => {
    const objects = formattedJson.filter(Boolean).map((l) => JSON.parse(l));
    const sleeping = objects.find((o) => o.ustack.some((f: { symbol?: string }) => f.symbol === "level_three"))!;
    expect(Object.keys(sleeping)).toEqual(["pid", "cpu_id", "comm", "kstack", "ustack"]);
    expect(sleeping.comm).toBe("sleeper");
    expect(sleeping.ustack.slice(0, 4).map((f: { symbol: string }) => f.symbol)).toEqual(["level_three", "level_two", "level_one", "main"]);
    expect(sleeping.ustack[0].file).toBe(sleeper);
    expect(sleeping.ustack[0].address).toMatch(/^0x[0-9a-f]{16}$/);
    expect(sleeping.kstack.map((f: { symbol?: string }) => f.symbol)).toContain("do_syscall_64");
  });

  test("ecli run prints the same symbolised stacks", async () => {
    const proc = Bun.spawn([sleeper], { stdout: "ignore", stderr: "inherit" });
    try {
      const run = await RunningEcli.start([pkgPath, "--target-pid", String(proc.pid)]);
      await Bun.sleep(700);
      const done = await run.stop();
      expect(done.code).toBe(0);
      const block = done.stdout.split("\n\n").find((b) => b.includes("level_three"));
      expect(block).toBeDefined();
      expect(block!.split("\n")[0]).toMatch(new RegExp(`^COMM: sleeper \\(pid=${proc.pid}\\) @ CPU \\d+$`));
      const symbols = [...block!.matchAll(/\] (\S+)\+0x/g)].map((m) => m[1]);
      const user = symbols.slice(symbols.indexOf("level_three"));
      expect(user.slice(0, 4)).toEqual(["level_three", "level_two", "level_one", "main"]);
      expect(symbols).toContain("do_syscall_64");
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  });

  test("leaves no program, map or link of ours in the kernel", async () => {
    const leaked = await leaksAfterRelease(before);
    // Others may load BPF objects on this machine meanwhile: only new objects with our names count.
    expect(await ours(leaked)).toEqual({ progs: [], maps: [], links: [] });
  });
});
