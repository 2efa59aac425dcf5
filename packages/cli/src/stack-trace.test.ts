import type { Subprocess } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DecodedValue } from "@eunomia/decoder";
import { checkStackTraceFields, createStackTraceFormatter, StackTraceError } from "./stack-trace.ts";
import { StackSymbolizer } from "./stack-symbolizer.ts";

const PROG_C = `
#include <stdio.h>
#include <time.h>
#include <unistd.h>
extern int lib_visible(int);
extern void *lib_hidden_address(void);
__attribute__((noinline)) void level_three(void) { printf("level_three %p\\n", (void *)level_three); }
__attribute__((noinline)) void level_two(void) { level_three(); }
__attribute__((noinline)) void level_one(void) { level_two(); }
int main(void) {
  level_one();
  printf("level_two %p\\nlevel_one %p\\nmain %p\\nnanosleep %p\\nlib_visible %p\\nlib_hidden %p\\n",
         (void *)level_two, (void *)level_one, (void *)main, (void *)nanosleep, (void *)lib_visible, lib_hidden_address());
  fflush(stdout);
  char c;
  if (read(0, &c, 1) < 0) return 2; /* wait until the test is done with us */
  return lib_visible(1) > 0 ? 0 : 1;
}
`;
const LIB_C = `
__attribute__((noinline)) static int lib_hidden(int x) { return x ^ 0x55; }
int lib_visible(int x) { return lib_hidden(x) + 1; }
void *lib_hidden_address(void) { return (void *)lib_hidden; }
`;

let dir: string;
let debugRoot: string;
let child: Subprocess<"pipe", "pipe", "inherit"> | undefined;
let pid: number;
const addr: Record<string, bigint> = {};
const kallsyms = readFileSync("/proc/kallsyms", "utf8");

function sh(argv: string[]): string {
  const r = Bun.spawnSync(argv, { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function ksym(name: string): bigint {
  const m = new RegExp(`^([0-9a-f]{16}) [tT] ${name}$`, "m").exec(kallsyms);
  if (!m) throw new Error(`${name} is not in /proc/kallsyms`);
  return BigInt(`0x${m[1]}`);
}

const hex16 = (a: bigint) => a.toString(16).padStart(16, "0");

/** A decoded event of the original profile example's shape, stacks padded to 128 entries. */
function event(kstack: bigint[], ustack: bigint[], over: Record<string, DecodedValue> = {}): Record<string, DecodedValue> {
  const pad = (s: bigint[]) => [...s, ...new Array<bigint>(128 - s.length).fill(0n)];
  return {
    pid, cpu_id: 1, comm: "stack-prog", kstack_sz: kstack.length * 8, ustack_sz: ustack.length * 8,
    kstack: pad(kstack), ustack: pad(ustack), ...over,
  };
}

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "stack-trace-")));
  writeFileSync(join(dir, "prog.c"), PROG_C);
  writeFileSync(join(dir, "lib.c"), LIB_C);
  sh(["gcc", "-O0", "-g", "-fPIC", "-shared", "-Wl,--build-id", "-o", "libst.so", "lib.c"]);
  const buildId = /Build ID: ([0-9a-f]+)/.exec(sh(["readelf", "-n", "libst.so"]))![1];
  debugRoot = join(dir, "debug");
  mkdirSync(join(debugRoot, ".build-id", buildId.slice(0, 2)), { recursive: true });
  sh(["objcopy", "--only-keep-debug", "libst.so", join(debugRoot, ".build-id", buildId.slice(0, 2), `${buildId.slice(2)}.debug`)]);
  sh(["strip", "--strip-all", "libst.so"]);
  sh(["gcc", "-O0", "-g", "-fno-omit-frame-pointer", "-o", "prog", "prog.c", "-L.", "-lst", `-Wl,-rpath,${dir}`]);
  child = Bun.spawn([join(dir, "prog")], { cwd: dir, stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  pid = child.pid;
  const reader = child.stdout.getReader();
  let text = "";
  while (text.split("\n").length < 8) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`prog ended early: ${text}`);
    text += new TextDecoder().decode(value);
  }
  for (const line of text.trim().split("\n")) {
    const [name, hex] = line.split(" ");
    addr[name] = BigInt(hex);
  }
});

afterAll(async () => {
  if (child) {
    child.stdin.write("x");
    await child.stdin.end();
    await child.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("createStackTraceFormatter, text", () => {
  test("without symbols prints the original's layout exactly", () => {
    // The original's own test vector: sizes are bytes (16 -> 2 frames, 128 -> 16 frames).
    const stack = Array.from({ length: 128 }, (_, i) => BigInt((1 << 16) | i));
    const fmt = createStackTraceFormatter({ withSymbols: false });
    const out = fmt.format({ pid: 0x1234, cpu_id: 0x5678, comm: "test-comm", kstack_sz: 16, ustack_sz: 128, kstack: stack, ustack: stack }, "text");
    const frames = (n: number) => Array.from({ length: n }, (_, i) => `  ${i} [<${hex16(BigInt((1 << 16) | i))}>]\n`).join("");
    expect(out).toBe(`COMM: test-comm (pid=4660) @ CPU 22136\nKernel:\n${frames(2)}Userspace:\n${frames(16)}`);
    expect(out).toContain("  0 [<0000000000010000>]\n  1 [<0000000000010001>]\nUserspace:\n");
    expect(out).toContain("  15 [<000000000001000f>]\n");
  });

  test("with symbols names kernel frames from kallsyms and user frames of a live PIE process and its libraries", () => {
    const k = [ksym("do_nanosleep") + 0x5en, ksym("do_syscall_64") + 0x71n, ksym("entry_SYSCALL_64") + 0x20n];
    const u = [addr.nanosleep + 3n, addr.level_three + 0x10n, addr.level_two + 9n, addr.level_one + 9n, addr.main + 0x1an, 0x10n];
    const fmt = createStackTraceFormatter({ withSymbols: true });
    const lines = fmt.format(event(k, u), "text").split("\n");
    expect(lines[0]).toBe(`COMM: stack-prog (pid=${pid}) @ CPU 1`);
    expect(lines.slice(1, 5)).toEqual([
      "Kernel:",
      `  0 [<${hex16(k[0])}>] do_nanosleep+0x5e`,
      `  1 [<${hex16(k[1])}>] do_syscall_64+0x71`,
      `  2 [<${hex16(k[2])}>] entry_SYSCALL_64+0x20`,
    ]);
    expect(lines[5]).toBe("Userspace:");
    expect(lines[6]).toMatch(new RegExp(`^  0 \\[<${hex16(u[0])}>\\] \\w*nanosleep\\+0x3$`)); // libc, through .dynsym
    expect(lines.slice(7)).toEqual([
      `  1 [<${hex16(u[1])}>] level_three+0x10`,
      `  2 [<${hex16(u[2])}>] level_two+0x9`,
      `  3 [<${hex16(u[3])}>] level_one+0x9`,
      `  4 [<${hex16(u[4])}>] main+0x1a`,
      `  5 [<${hex16(0x10n)}>]`, // nothing is mapped there
      "",
    ]);
  });

  test("says which stack is missing, and prints nothing when both are", () => {
    const fmt = createStackTraceFormatter({ withSymbols: true });
    const onlyUser = fmt.format(event([], [addr.main]), "text");
    expect(onlyUser).toBe(`COMM: stack-prog (pid=${pid}) @ CPU 1\nNo Kernel Stack\nUserspace:\n  0 [<${hex16(addr.main)}>] main+0x0\n`);
    const onlyKernel = fmt.format(event([ksym("do_syscall_64")], [], { ustack_sz: -14 }), "text");
    expect(onlyKernel).toEndWith("do_syscall_64+0x0\nNo Userspace Stack\n");
    expect(fmt.format(event([], [], { kstack_sz: -14, ustack_sz: 0 }), "text")).toBe("");
    expect(fmt.format(event([], [], { kstack_sz: -14, ustack_sz: 0 }), "json")).toBe("");
  });

  test("a size larger than the array pads with zero addresses, as the original does", () => {
    const fmt = createStackTraceFormatter({ withSymbols: false });
    const out = fmt.format({ pid: 1, cpu_id: 0, comm: "x", kstack_sz: 24, ustack_sz: 0, kstack: [5n], ustack: [] }, "text");
    expect(out).toBe("COMM: x (pid=1) @ CPU 0\nKernel:\n  0 [<0000000000000005>]\n  1 [<0000000000000000>]\n  2 [<0000000000000000>]\nNo Userspace Stack\n");
  });
});

describe("createStackTraceFormatter, JSON", () => {
  test("one object per event: addresses as hex strings, symbol, offset, module or file", () => {
    const fmt = createStackTraceFormatter({ withSymbols: true });
    const k = ksym("do_syscall_64") + 0x71n;
    const out = fmt.format(event([k], [addr.level_two + 9n, 0x10n]), "json");
    expect(out).not.toContain("\n");
    expect(JSON.parse(out)).toEqual({
      pid, cpu_id: 1, comm: "stack-prog",
      kstack: [{ address: `0x${hex16(k)}`, symbol: "do_syscall_64", offset: 0x71 }],
      ustack: [
        { address: `0x${hex16(addr.level_two + 9n)}`, symbol: "level_two", offset: 9, file: join(dir, "prog") },
        { address: "0x0000000000000010" },
      ],
    });
    const plain = createStackTraceFormatter({ withSymbols: false }).format(event([k], []), "json");
    expect(JSON.parse(plain)).toEqual({ pid, cpu_id: 1, comm: "stack-prog", kstack: [{ address: `0x${hex16(k)}` }], ustack: [] });
  });
});

describe("field_map", () => {
  test("reads the fields under the names the map gives", () => {
    const fmt = createStackTraceFormatter({
      withSymbols: true,
      fieldMap: { pid: "tgid", cpu_id: "cpu", comm: "task", kstack_sz: "ksz", ustack_sz: "usz", kstack: "ks", ustack: "us" },
    });
    const out = fmt.format({ tgid: pid, cpu: 3n, task: "renamed", ksz: 0, usz: 8, ks: [], us: [addr.level_one + 4n] }, "text");
    expect(out).toBe(`COMM: renamed (pid=${pid}) @ CPU 3\nNo Kernel Stack\nUserspace:\n  0 [<${hex16(addr.level_one + 4n)}>] level_one+0x4\n`);
  });

  test("bad maps and events are StackTraceErrors with one clear line", () => {
    expect(() => createStackTraceFormatter({ withSymbols: true, fieldMap: { pidd: "x" } })).toThrow(StackTraceError);
    expect(() => createStackTraceFormatter({ withSymbols: true, fieldMap: { pidd: "x" } })).toThrow(/field_map key "pidd" is not one of pid, cpu_id/);
    expect(() => createStackTraceFormatter({ withSymbols: true, fieldMap: { pid: 7 as unknown as string } })).toThrow(/field_map.pid must be a field name/);
    const fmt = createStackTraceFormatter({ withSymbols: false, fieldMap: { pid: "tgid" } });
    expect(() => fmt.format(event([], [addr.main]), "text")).toThrow('stack_trace: the event has no field "tgid" (field_map of pid)');
    const plain = createStackTraceFormatter({ withSymbols: false });
    expect(() => plain.format(event([], [addr.main], { comm: 5 }), "text")).toThrow('field "comm" (comm) is a number, expected a string');
    expect(() => plain.format(event([], [addr.main], { pid: "x" }), "text")).toThrow('field "pid" (pid) is a string, expected an integer');
    expect(() => plain.format(event([], [addr.main], { ustack: { a: 1 } }), "text")).toThrow("is a struct, expected an array of addresses");
  });

  test("checkStackTraceFields checks an event type's fields up front", () => {
    const fields = ["pid", "cpu_id", "comm", "kstack_sz", "ustack_sz", "kstack", "ustack"];
    expect(() => checkStackTraceFields(fields)).not.toThrow();
    expect(() => checkStackTraceFields(fields.slice(1))).toThrow(/no field "pid"; it has cpu_id, comm/);
    expect(() => checkStackTraceFields(["tgid", ...fields.slice(1)], { pid: "tgid" })).not.toThrow();
    expect(() => checkStackTraceFields(fields, { nope: "x" })).toThrow(StackTraceError);
  });
});

describe("StackSymbolizer", () => {
  test("finds a stripped library's static functions in a .build-id debug file", () => {
    const withDebug = new StackSymbolizer({ debugDirs: [debugRoot] }).user(pid, [addr.lib_hidden + 1n, addr.lib_visible]);
    expect(withDebug.map((f) => [f.symbol, f.offset, f.file])).toEqual([
      ["lib_hidden", 1, join(dir, "libst.so")],
      ["lib_visible", 0, join(dir, "libst.so")],
    ]);
    const without = new StackSymbolizer({ debugDirs: [] }).user(pid, [addr.lib_hidden + 1n]);
    expect(without[0].symbol).not.toBe("lib_hidden");
  });

  test("frames of a process that is gone stay addresses", async () => {
    const gone = Bun.spawn(["/bin/true"]);
    await gone.exited;
    const frames = new StackSymbolizer().user(gone.pid, [addr.main]);
    expect(frames).toEqual([{ address: addr.main }]);
  });

  test("unreadable kallsyms gives address-only kernel frames and one warning", () => {
    const warnings: string[] = [];
    const s = new StackSymbolizer({ kallsymsPath: join(dir, "no-such-kallsyms"), onWarning: (m) => warnings.push(m) });
    const k = ksym("do_syscall_64");
    expect(s.kernel([k])).toEqual([{ address: k }]);
    expect(s.kernel([k + 1n])).toEqual([{ address: k + 1n }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("cannot read kernel symbols from");
  });

  test("resolves a repeated stack from its caches quickly", () => {
    const s = new StackSymbolizer();
    const u = [addr.level_three, addr.level_two + 9n, addr.level_one + 9n, addr.main + 0x1an, addr.nanosleep];
    const k = [ksym("do_nanosleep"), ksym("do_syscall_64")];
    s.kernel(k);
    s.user(pid, u); // the first call reads kallsyms, the maps and the ELF files
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      s.kernel(k);
      s.user(pid, u);
    }
    const perStackUs = ((performance.now() - t0) / 1000) * 1000;
    expect(perStackUs).toBeLessThan(200);
  });
});
