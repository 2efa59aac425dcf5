/**
 * End to end on the real kernel: `ecli build --wasm` compiles examples/wasm-bootstrap and
 * examples/wasm-map into WebAssembly modules with their BPF objects embedded, and
 * `ecli run app.wasm` runs them from a file, from stdin and from a URL. The modules
 * print their own output; every line is checked exactly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { cpuSecondsOver } from "./helpers/cpu-time.ts";
import { child } from "./helpers/bootstrap.ts";
import { kernelObjects, type KernelObjects } from "./helpers/kernel.ts";
import { wasmLeaks } from "./helpers/wasm-leaks.ts";

const BOOTSTRAP = join(ROOT, "examples/wasm-bootstrap");
const MAP = join(ROOT, "examples/wasm-map");
const PERF = join(ROOT, "examples/wasm-perf");
const HEADER = "TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE";
const MAP_OUTPUT = [
  "update 1 = 100: 0",
  "update 2 = 200: 0",
  "update 3 = 300: 0",
  "update 2 (BPF_NOEXIST): EEXIST",
  "lookup 2: 200",
  "delete 2: 0",
  "delete 2 again: ENOENT",
  "lookup 2: no entry",
  "walk: 2 keys, values sum to 400",
  "execs counted: yes",
  "",
].join("\n");

let out: string;
let bootstrapWasm: string;
let mapWasm: string;
let perfWasm: string;
let before: KernelObjects;

/** printf's "%-Nd"/"%-Ns": the value left-aligned in N columns. */
const col = (value: string | number, width: number) => String(value).padEnd(width);

/** Runs `args` while starting short processes until it ends (the map example waits for an exec). */
async function runWhileExecing(args: string[], opts: { stdin?: Uint8Array } = {}) {
  let running = true;
  const execs = (async () => {
    while (running) {
      await child(["/usr/bin/true"]);
      await Bun.sleep(100);
    }
  })();
  try {
    return await ecli(args, opts);
  } finally {
    running = false;
    await execs;
  }
}

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-wasm-"));
  const a = await ecli(["build", "--wasm", join(BOOTSTRAP, "app.c"), join(BOOTSTRAP, "bootstrap.bpf.c"), join(BOOTSTRAP, "bootstrap.bpf.h"), "-o", join(out, "bootstrap")]);
  expect(a.stderr).toContain("app.wasm");
  expect(a.code).toBe(0);
  bootstrapWasm = join(out, "bootstrap/app.wasm");
  const b = await ecli(["build", "--wasm", join(MAP, "app.c"), join(MAP, "map.bpf.c"), "-o", join(out, "map")]);
  expect(b.code).toBe(0);
  mapWasm = join(out, "map/app.wasm");
  const c = await ecli(["build", "--wasm", join(PERF, "app.c"), join(PERF, "exec.bpf.c"), join(PERF, "exec.bpf.h"), "-o", join(out, "perf")]);
  expect(c.code).toBe(0);
  perfWasm = join(out, "perf/app.wasm");
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ecli build --wasm", () => {
  test("writes a WebAssembly module that embeds the BPF object and exports its table", async () => {
    const bytes = await Bun.file(bootstrapWasm).bytes();
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    const module = new WebAssembly.Module(bytes);
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    expect(exports).toContain("_start");
    expect(exports).toContain("__indirect_function_table");
    expect(exports).toContain("memory");
    const imports = WebAssembly.Module.imports(module).filter((i) => i.module === "wasm_bpf").map((i) => i.name).sort();
    expect(imports).toEqual(["wasm_attach_bpf_program", "wasm_bpf_buffer_poll", "wasm_bpf_map_fd_by_name", "wasm_close_bpf_object", "wasm_load_bpf_object"]);
    // The object inside is the one `ecli build` wrote beside it.
    const object = await Bun.file(join(out, "bootstrap/bootstrap.bpf.o")).bytes();
    expect(Buffer.from(bytes).indexOf(Buffer.from(object))).toBeGreaterThan(0);
  });

  test("a C error in app.c is one line and exit 1", async () => {
    const bad = join(out, "bad.c");
    await Bun.write(bad, "int main(void) { return undefined_thing; }\n");
    const r = await ecli(["build", "--wasm", bad, join(MAP, "map.bpf.c"), "-o", join(out, "bad")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/^ecli: cannot compile bad\.c for wasm32-wasi: .*undeclared identifier 'undefined_thing'/);
  });

  test("--wasm needs app.c and prog.bpf.c: exit 2", async () => {
    const r = await ecli(["build", "--wasm", join(MAP, "app.c")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("ecli: --wasm takes app.c and prog.bpf.c");
  });
});

describe("ecli run app.wasm (wasm-bootstrap)", () => {
  test("formats exec and exit events of known processes exactly, and exits 0 on Ctrl-C", async () => {
    const run = await RunningEcli.start([bootstrapWasm, "-p", String(process.pid)]);
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "exit 7"]);
    await Bun.sleep(300);
    const done = await run.stop("SIGINT");
    expect(done.code).toBe(0);
    const lines = done.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toBe(HEADER);
    const time = String.raw`\d\d:\d\d:\d\d `;
    const execTrue = `EXEC  ${col("true", 16)} ${col(truePid, 7)} ${col(process.pid, 7)} /usr/bin/true`;
    expect(lines.filter((l) => l.slice(9) === execTrue)).toHaveLength(1);
    expect(lines.find((l) => l.slice(9) === execTrue)).toMatch(new RegExp(`^${time}`));
    const exitTrue = `EXIT  ${col("true", 16)} ${col(truePid, 7)} ${col(process.pid, 7)} [0]`;
    expect(lines.filter((l) => l.slice(9).startsWith(exitTrue))).toHaveLength(1);
    expect(lines.find((l) => l.slice(9).startsWith(exitTrue))!.slice(9 + exitTrue.length)).toMatch(/^( \(\d+ms\))?$/);
    const exitSh = `EXIT  ${col("sh", 16)} ${col(shPid, 7)} ${col(process.pid, 7)} [7]`;
    expect(lines.filter((l) => l.slice(9).startsWith(exitSh))).toHaveLength(1);
    // Only the two children (the -p flag reached the program's .rodata).
    expect(lines.slice(1).every((l) => l.includes(` ${truePid} `) || l.includes(` ${shPid} `))).toBe(true);
    expect(done.stderr).toContain("programs attached (wasm_exec)");
    expect(done.stderr).toContain("programs attached (wasm_exit)");
  });

  test("-d sets min_duration_ns: short processes and exec events are hidden", async () => {
    const run = await RunningEcli.start([bootstrapWasm, "-p", String(process.pid), "-d", "200"]);
    const quick = await child(["/usr/bin/true"]);
    const slow = await child(["/bin/sleep", "0.3"]);
    await Bun.sleep(300);
    const done = await run.stop("SIGTERM");
    expect(done.code).toBe(0);
    const lines = done.stdout.split("\n").filter(Boolean);
    expect(lines.slice(1).some((l) => l.includes(` ${quick} `))).toBe(false);
    expect(lines.slice(1).some((l) => l.slice(9).startsWith("EXEC"))).toBe(false);
    const exit = lines.find((l) => l.slice(9).startsWith(`EXIT  ${col("sleep", 16)} ${col(slow, 7)}`))!;
    const ms = Number(/\((\d+)ms\)$/.exec(exit)![1]);
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(5000);
  });

  test("--duration ends the module's run with exit 0", async () => {
    const t0 = performance.now();
    const r = await ecli(["run", "--duration", "1", bootstrapWasm, "-p", "1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${HEADER}\n`);
    expect(r.stderr).toBe("");
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("an idle module sleeps: under 0.3 s of CPU in 2 s with no events", async () => {
    const run = await RunningEcli.start([bootstrapWasm, "-p", "1"]);
    const used = await cpuSecondsOver(run.proc.pid, 2000);
    expect((await run.stop()).code).toBe(0);
    expect(used).toBeLessThan(0.3);
  });

  test("the module's own exit code and usage come through (args after the module are its argv)", async () => {
    const r = await ecli(["run", bootstrapWasm, "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("usage: app.wasm [-d MIN_DURATION_MS] [-p PID]\n");
  });
});

describe("ecli run app.wasm (wasm-perf)", () => {
  test("receives events from a perf event array through the module's callback", async () => {
    const run = await RunningEcli.start([perfWasm, String(process.pid)]);
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "true"]);
    await Bun.sleep(300);
    const done = await run.stop("SIGINT");
    expect(done.code).toBe(0);
    // A perf event array has one ring per CPU: the two execs may come in either order.
    expect(done.stdout.endsWith("\n")).toBe(true);
    expect(done.stdout.trimEnd().split("\n").sort()).toEqual([
      `exec pid=${truePid} ppid=${process.pid} comm=true`,
      `exec pid=${shPid} ppid=${process.pid} comm=sh`,
    ].sort());
  });
});

describe("ecli run app.wasm (wasm-map)", () => {
  test("updates, looks up, deletes and walks a hash map, and sees the kernel side count", async () => {
    const r = await runWhileExecing(["run", mapWasm]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(MAP_OUTPUT);
    expect(r.code).toBe(0);
  });

  test("runs the same module from stdin", async () => {
    const r = await runWhileExecing(["run", "-"], { stdin: await Bun.file(mapWasm).bytes() });
    expect(r.stdout).toBe(MAP_OUTPUT);
    expect(r.code).toBe(0);
  });

  test("runs the same module from a URL", async () => {
    const bytes = await Bun.file(mapWasm).bytes();
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(bytes) });
    try {
      const r = await runWhileExecing(["run", `http://127.0.0.1:${server.port}/app.wasm`]);
      expect(r.stdout).toBe(MAP_OUTPUT);
      expect(r.code).toBe(0);
    } finally {
      server.stop(true);
    }
  });
});

test("leaves no program or map of ours in the kernel", async () => {
  expect(await wasmLeaks(before)).toEqual({ progs: [], maps: [] });
});
