/**
 * End to end on the real kernel: WebAssembly modules (wasm-bpf) as `ecli server` tasks.
 * `ecli client start app.wasm -- args` runs examples/wasm-bootstrap in the server; this
 * process makes known execs and reads the module's exact lines back through `client log`
 * and a followed log; stop ends the module and leaves nothing loaded; updates swap
 * modules and packages; hostile modules (examples/wasm-hostile) fail only their own
 * task while another keeps working; requests a module cannot honour get exact errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ecli, ecliCommand, ROOT, type Finished } from "./helpers/ecli.ts";
import { child } from "./helpers/bootstrap.ts";
import { kernelObjects, type KernelObjects } from "./helpers/kernel.ts";
import { Registry } from "./helpers/registry.ts";
import { wasmLeaks } from "./helpers/wasm-leaks.ts";

const BOOTSTRAP = join(ROOT, "examples/wasm-bootstrap");
const HEADER = "TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE";

let dir: string;
let bootstrapWasm: string;
let bootstrapPkg: string;
let hostileWasm: string;
let server: Server;
/** Kernel objects when the current test began. */
let before: KernelObjects;

/** printf's "%-Nd"/"%-Ns": the value left-aligned in N columns. */
const col = (value: string | number, width: number) => String(value).padEnd(width);
/** The module's lines for an exec and a clean exit of `pid` (a child of this process), without the time. */
const execLine = (comm: string, pid: number, file: string) => `EXEC  ${col(comm, 16)} ${col(pid, 7)} ${col(process.pid, 7)} ${file}`;
const exitLine = (comm: string, pid: number, code: number) => `EXIT  ${col(comm, 16)} ${col(pid, 7)} ${col(process.pid, 7)} [${code}]`;
const TIME = /^\d\d:\d\d:\d\d $/;

/** A running `ecli server` on a free loopback port. */
class Server {
  private stderrText = "";
  private readonly stderrDone: Promise<void>;
  url = "";

  private constructor(readonly proc: Subprocess<"ignore", "pipe", "pipe">) {
    this.stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) this.stderrText += decoder.decode(chunk, { stream: true });
    })();
  }

  static async start(args: string[] = []): Promise<Server> {
    const proc = Bun.spawn([...ecliCommand(), "server", "--listen", "127.0.0.1:0", ...args], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const s = new Server(proc);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const m = /listening on (\S+)/.exec(s.stderrText);
      if (m) {
        s.url = m[1];
        return s;
      }
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`ecli server did not start: ${s.stderrText}`);
      }
      await Bun.sleep(20);
    }
  }

  get stderr(): string {
    return this.stderrText;
  }

  client(args: string[], opts: { stdin?: Uint8Array } = {}): Promise<Finished> {
    return ecli(["client", "--endpoint", this.url, ...args], opts);
  }

  /** Starts a task; returns its id. */
  async start(args: string[]): Promise<string> {
    const done = await this.client(["start", ...args]);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    return done.stdout.trim();
  }

  async task(id: string): Promise<Record<string, unknown>> {
    return (await (await fetch(`${this.url}/tasks/${id}`)).json()) as Record<string, unknown>;
  }

  /** The task's whole log, each line split into its time and the rest. */
  async log(id: string): Promise<string[]> {
    const done = await this.client(["log", id]);
    expect(done.code).toBe(0);
    return done.stdout.split("\n").filter(Boolean);
  }

  /** Polls the log until `want` holds or 5 s pass. */
  async waitForLog(id: string, want: (lines: string[]) => boolean): Promise<string[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const lines = await this.log(id);
      if (want(lines) || Date.now() > deadline) return lines;
      await Bun.sleep(50);
    }
  }

  async stop(): Promise<number> {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    const code = await this.proc.exited;
    await this.stderrDone;
    return code;
  }
}

/** The rows of `lines` about `pid`, without their time column (checked to be HH:MM:SS). */
function rowsOf(lines: string[], pid: number): string[] {
  const rows = lines.filter((l) => l.slice(9).includes(` ${col(pid, 7)} `));
  for (const r of rows) expect(r.slice(0, 9)).toMatch(TIME);
  return rows.map((r) => r.slice(9));
}

async function expectNoLeaks(): Promise<void> {
  expect(await wasmLeaks(before)).toEqual({ progs: [], maps: [] });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecli-server-wasm-"));
  const a = await ecli(["build", "--wasm", join(BOOTSTRAP, "app.c"), join(BOOTSTRAP, "bootstrap.bpf.c"), join(BOOTSTRAP, "bootstrap.bpf.h"), "-o", join(dir, "bootstrap")]);
  expect(a.code).toBe(0);
  bootstrapWasm = join(dir, "bootstrap/app.wasm");
  bootstrapPkg = join(dir, "bootstrap/package.json");
  const h = await ecli(["build", "--wasm", join(ROOT, "examples/wasm-hostile/hostile.c"), join(ROOT, "examples/wasm-map/map.bpf.c"), "-o", join(dir, "hostile")]);
  expect(h.code).toBe(0);
  hostileWasm = join(dir, "hostile/hostile.wasm");
  server = await Server.start();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  before = await kernelObjects();
});

describe("a module as a server task", () => {
  test("its exact lines come back through client log; stop ends it and leaves nothing loaded", async () => {
    const id = await server.start([bootstrapWasm, "--", "-p", String(process.pid)]);
    expect(await server.task(id)).toMatchObject({ id, name: "app.wasm", kind: "wasm", state: "running", mode: "text" });
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "exit 7"]);
    const lines = await server.waitForLog(id, (l) => rowsOf(l, shPid).length >= 1 && rowsOf(l, truePid).length >= 2);
    expect(lines[0]).toBe(HEADER);
    expect(rowsOf(lines, truePid)[0]).toBe(execLine("true", truePid, "/usr/bin/true"));
    expect(rowsOf(lines, truePid)[1]).toMatch(new RegExp(`^${exitLine("true", truePid, 0).replace(/[[\]]/g, "\\$&")}( \\(\\d+ms\\))?$`));
    expect(rowsOf(lines, shPid).at(-1)).toStartWith(exitLine("sh", shPid, 7));
    // -p reached the module's argv, and from there the program's .rodata: only this process's children.
    const parents = lines.slice(1).map((l) => /^(?:EXEC|EXIT) {2}.{16} \d+ +(\d+) /.exec(l.slice(9))?.[1]);
    expect(new Set(parents)).toEqual(new Set([String(process.pid)]));

    const stopped = await server.client(["stop", id]);
    expect(stopped.stdout).toBe(`${id} stopped\n`);
    expect(await server.task(id)).toMatchObject({ state: "stopped" });
    await expectNoLeaks();
    // The log stays readable after the stop, and nothing more is written to it.
    const quiet = await child(["/usr/bin/true"]);
    await Bun.sleep(200);
    expect(rowsOf(await server.log(id), quiet)).toEqual([]);
  });

  test("a followed log (server-sent events) streams the module's lines and ends when it stops", async () => {
    const id = await server.start([bootstrapWasm, "--name", "follow-me", "--", "-p", String(process.pid)]);
    expect(await server.task(id)).toMatchObject({ name: "follow-me" });
    const response = await fetch(`${server.url}/tasks/${id}/log?follow=1`, { headers: { accept: "text/event-stream" } });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const pid = await child(["/usr/bin/true"]);
    await server.waitForLog(id, (l) => rowsOf(l, pid).length >= 2);
    expect((await server.client(["stop", id])).code).toBe(0);
    const events = (await response.text()).split("\n\n").filter(Boolean);
    expect(events[0]).toBe(`id: 1\ndata: ${HEADER}`);
    const exec = events.find((e) => e.includes(execLine("true", pid, "/usr/bin/true")));
    expect(exec).toMatch(new RegExp(`^id: \\d+\\ndata: \\d\\d:\\d\\d:\\d\\d ${execLine("true", pid, "/usr/bin/true")}$`));
    expect(events.at(-1)).toBe("event: end\ndata: ");
    await expectNoLeaks();
  });

  test("pause and resume answer 409 for a module; rm stops and forgets it", async () => {
    const id = await server.start([bootstrapWasm]);
    const paused = await server.client(["pause", id]);
    expect(paused.stderr).toBe("ecli: server: a task running a WebAssembly module cannot be paused (its programs are its own): stop it or update it instead (HTTP 409)\n");
    expect(paused.code).toBe(1);
    expect(await server.task(id)).toMatchObject({ state: "running" });
    const resumed = await server.client(["resume", id]);
    expect(resumed.stderr).toBe(`ecli: server: task ${id} is running: cannot resume it (HTTP 409)\n`);
    expect((await server.client(["rm", id])).stdout).toBe(`${id} removed\n`);
    expect((await fetch(`${server.url}/tasks/${id}`)).status).toBe(404);
    await expectNoLeaks();
  });

  test("update swaps modules and packages in place: the new one runs, the old one is released", async () => {
    const id = await server.start([bootstrapWasm, "--", "-p", "1"]);
    // To a module with other arguments: it sees this process's children, the old one did not.
    const toModule = await server.client(["update", id, bootstrapWasm, "--", "-p", String(process.pid)]);
    expect(toModule.stdout).toMatch(new RegExp(`^${id} updated: new module started [\\d.]+ ms after the request\\n$`));
    const pid = await child(["/usr/bin/true"]);
    const lines = await server.waitForLog(id, (l) => rowsOf(l, pid).length >= 1);
    expect(lines.filter((l) => l === HEADER)).toHaveLength(2); // each module printed its own header
    expect(rowsOf(lines, pid)[0]).toBe(execLine("true", pid, "/usr/bin/true"));
    // To the package of the same program (JSON lines are not asked: the task stays text).
    const toPackage = await server.client(["update", id, bootstrapPkg, "--", "--target-pid", String(process.pid)]);
    expect(toPackage.stdout).toMatch(new RegExp(`^${id} updated: new package attached [\\d.]+ ms after the request\\n$`));
    expect(await server.task(id)).toMatchObject({ kind: "package", state: "running", updates: 2 });
    // And back to a module; a paused package cannot become one (a module cannot start paused).
    expect((await server.client(["pause", id])).code).toBe(0);
    const whilePaused = await server.client(["update", id, bootstrapWasm]);
    expect(whilePaused.stderr).toBe("ecli: server: a paused task cannot be updated to a WebAssembly module (a module cannot start paused): resume the task first (HTTP 409)\n");
    expect((await server.client(["resume", id])).code).toBe(0);
    expect((await server.client(["update", id, bootstrapWasm])).code).toBe(0);
    expect(await server.task(id)).toMatchObject({ kind: "wasm", state: "running", updates: 3 });
    expect((await server.client(["stop", id])).code).toBe(0);
    await expectNoLeaks();
  });
});

test("a module pulled from an OCI registry runs as a task too", async () => {
  const registry = await Registry.start();
  try {
    const ref = `${registry.host}/eunomia/wasm-bootstrap:v1`;
    expect((await ecli(["push", bootstrapWasm, ref])).code).toBe(0);
    const id = await server.start([ref, "--", "-p", String(process.pid)]);
    expect(await server.task(id)).toMatchObject({ kind: "wasm", name: "wasm-bootstrap:v1", state: "running" });
    const pid = await child(["/usr/bin/true"]);
    const lines = await server.waitForLog(id, (l) => rowsOf(l, pid).length >= 1);
    expect(lines[0]).toBe(HEADER);
    expect(rowsOf(lines, pid)[0]).toBe(execLine("true", pid, "/usr/bin/true"));
    expect((await server.client(["stop", id])).code).toBe(0);
  } finally {
    await registry.stop();
  }
  await expectNoLeaks();
});

describe("a hostile module fails only its own task", () => {
  test("traps, bad pointers, bad callbacks and exit codes each fail their task in one line; another task keeps working", async () => {
    const good = await server.start([bootstrapWasm, "--name", "good", "--", "-p", String(process.pid)]);
    const cases: [string, string][] = [
      ["trap", "the module trapped: Unreachable code should not be executed"],
      ["bad-key-pointer", "wasm_bpf_map_operate: key at 0x7ffffff0 + 4 bytes is outside the module's 131072-byte memory"],
      ["bad-callback", "wasm_bpf_buffer_poll: sample_func 99999 is not a function in the module's table of 7"],
      ["unknown-handle", "the module exited with code 3"],
    ];
    for (const [what, error] of cases) {
      const done = await server.client(["start", hostileWasm, "--", what]);
      const id = done.stdout.trim();
      expect(id).toMatch(/^\d+$/);
      expect(done.stderr).toBe(`ecli: task ${id} failed: ${error}\n`);
      expect(done.code).toBe(1);
      expect(await server.task(id)).toMatchObject({ name: "hostile.wasm", state: "failed", error });
    }
    // What the module wrote and what the host warned about are in its log, as `ecli run` shows them.
    const tasks = (await (await fetch(`${server.url}/tasks`)).json()) as { tasks: { id: string; error?: string }[] };
    const unknown = tasks.tasks.find((t) => t.error === "the module exited with code 3")!;
    expect(await server.log(unknown.id)).toEqual([
      "ecli: wasm: wasm_attach_bpf_program: unknown object handle 12346",
      "attach on unknown handle: EINVAL",
      "ecli: wasm: wasm_bpf_map_fd_by_name: unknown object handle 0",
      "map fd on handle 0: EINVAL",
      "ecli: wasm: wasm_close_bpf_object: unknown object handle 2",
      "close unknown handle: EINVAL",
    ]);
    // An update to a module that traps at once: the task fails, and the client says so.
    const doomed = await server.start([bootstrapWasm, "--", "-p", "1"]);
    const updated = await server.client(["update", doomed, hostileWasm, "--", "trap"]);
    expect(updated.stderr).toBe(`ecli: task ${doomed} failed after the update: the module trapped: Unreachable code should not be executed\n`);
    expect(updated.code).toBe(1);
    expect(await server.task(doomed)).toMatchObject({ state: "failed", kind: "wasm", updates: 1 });
    // The good task never noticed.
    expect(await server.task(good)).toMatchObject({ state: "running" });
    const pid = await child(["/usr/bin/true"]);
    const lines = await server.waitForLog(good, (l) => rowsOf(l, pid).length >= 1);
    expect(rowsOf(lines, pid)[0]).toBe(execLine("true", pid, "/usr/bin/true"));
    expect((await server.client(["stop", good])).code).toBe(0);
    await expectNoLeaks();
  });

  test("requests a module cannot honour, and bytes that are not a usable module, are refused before anything runs", async () => {
    const refused = async (args: string[], line: string, stdin?: Uint8Array) => {
      const done = await server.client(args, { stdin });
      expect(done.stderr).toBe(`${line}\n`);
      expect(done.stdout).toBe("");
      expect(done.code).toBe(1);
    };
    await refused(["start", "-j", bootstrapWasm], "ecli: server: JSON output (-j, mode=json) does not apply to a WebAssembly module: it prints its own output (HTTP 400)");
    await refused(["start", bootstrapWasm, "--iface", "lo"], "ecli: server: attach options (--iface) do not apply to a WebAssembly module: it attaches its programs itself (HTTP 400)");
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    await refused(["start", "-"], "ecli: server: not a valid WebAssembly module: WebAssembly.Module doesn't parse at byte 10: Type section of size 16 would overflow Module's size (HTTP 422)",
      new Uint8Array([...header, 0x01, 0x10]));
    // A module of one function type () -> () importing wasm_bpf.nope.
    const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
    const imports = [0x01, ...name("wasm_bpf"), ...name("nope"), 0x00, 0x00];
    const importNope = join(dir, "nope.wasm");
    writeFileSync(importNope, new Uint8Array([...header, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, imports.length, ...imports]));
    await refused(["start", importNope], "ecli: server: the module imports wasm_bpf.nope, which ecli does not provide (HTTP 422)");
    await refused(["start", "-"], "ecli: server: the module exports no _start function (build it as a WASI command) (HTTP 422)", new Uint8Array(header));
  });
});

test("the server's SIGTERM ends its modules: exit 0, nothing left loaded", async () => {
  const own = await Server.start();
  try {
    const id = await own.start([bootstrapWasm]);
    const pid = await child(["/usr/bin/true"]);
    // An event came through: the module's programs were attached when the signal came.
    expect(rowsOf(await own.waitForLog(id, (l) => rowsOf(l, pid).length >= 1), pid).length).toBeGreaterThanOrEqual(1);
  } finally {
    expect(await own.stop()).toBe(0);
  }
  expect(own.stderr).toContain("ecli: server stopped, every task detached");
  await expectNoLeaks();
});

test("--stall-limit: a module computing without end gets the server killed after one line, and the kernel frees everything", async () => {
  const own = await Server.start(["--stall-limit", "2"]);
  try {
    // Something loaded, which only the kernel can free once the server is killed.
    const id = await own.start([bootstrapWasm]);
    expect(await own.task(id)).toMatchObject({ state: "running" });
    // _start is `loop br 0 end`: it never calls the host, so nothing can interrupt it.
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
    const exports = [0x02, ...name("memory"), 0x02, 0x00, ...name("_start"), 0x00, 0x00];
    const spin = join(dir, "spin.wasm");
    writeFileSync(spin, new Uint8Array([
      ...header, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01,
      0x07, exports.length, ...exports, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
    ]));
    const t0 = performance.now();
    const done = await own.client(["start", spin]);
    expect(done.stderr).toStartWith(`ecli: cannot reach the server at ${own.url}: `);
    expect(done.code).toBe(1);
    await own.proc.exited;
    expect(own.proc.signalCode).toBe("SIGKILL");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1500); // the last beat came up to 250 ms before the stall
    expect(performance.now() - t0).toBeLessThan(8000);
  } finally {
    await own.stop();
  }
  expect(own.stderr).toContain("ecli: server: the event loop has not turned for 2 s (--stall-limit): a task is computing without end " +
    "(e.g. a WebAssembly module looping without calling the host); killing the server so the kernel frees every task's programs\n");
  await expectNoLeaks();
});
