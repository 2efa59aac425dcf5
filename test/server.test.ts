/**
 * End to end on the real kernel: `ecli server` on a random loopback port, driven by
 * `ecli client` and by raw HTTP. Two different packages run at once (a ring buffer of
 * kill(2) calls as JSON lines, examples/kv's sampled map as a text table); this process
 * makes known events and reads them back through `log`; an update in place changes the
 * behaviour with no event missed in between; pause, resume, stop; hostile requests get
 * exact status codes; a flood is bounded; and the kernel is clean afterwards.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import type { Subprocess } from "bun";
import { $ } from "bun";
import { ecli, ecliCommand, ROOT, RunningEcli, type Finished } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const KILL_SOURCE = join(ROOT, "test/fixtures/server-kill.bpf.c");
const KILL_HEADER = join(ROOT, "test/fixtures/server-kill.bpf.h");
const KV_SOURCE = join(ROOT, "examples/kv/kv.bpf.c");
const REJECTED_SOURCE = join(ROOT, "test/fixtures/rejected.bpf.c");
const TOKEN = "test-token-0123456789";

let dir: string;
let killPkg: string;
let killMsgpack: string;
let kvPkg: string;
let rejectedPkg: string;
let tokenFile: string;
/** Kernel objects when the current test began (others' programs may come and go meanwhile). */
let before: KernelObjects;

/** Servers started and not yet stopped: afterAll ends them if a test did not. */
const running = new Set<Subprocess>();

/** A running `ecli server`. */
class Server {
  private stderrText = "";
  private readonly stderrDone: Promise<void>;

  private constructor(readonly proc: Subprocess<"ignore", "pipe", "pipe">, public url = "") {
    this.stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) this.stderrText += decoder.decode(chunk, { stream: true });
    })();
  }

  /** Starts a server on a random free loopback port and waits until it listens. */
  static async start(args: string[] = []): Promise<Server> {
    const proc = Bun.spawn([...ecliCommand(), "server", "--listen", "127.0.0.1:0", ...args], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const server = new Server(proc);
    running.add(proc);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const m = /listening on (\S+)/.exec(server.stderrText);
      if (m) {
        server.url = m[1];
        return server;
      }
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`ecli server did not start: ${server.stderrText}`);
      }
      await Bun.sleep(20);
    }
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Runs `ecli client --endpoint <this> ...`. */
  client(args: string[], token = true): Promise<Finished> {
    return ecli(["client", "--endpoint", this.url, ...(token ? ["--token-file", tokenFile] : []), ...args]);
  }

  /** Raw HTTP with the token (unless `headers` says otherwise). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
    return fetch(`${this.url}${path}`, { ...init, headers });
  }

  async stop(signal: "SIGINT" | "SIGTERM" = "SIGTERM"): Promise<number> {
    if (this.proc.exitCode === null) this.proc.kill(signal);
    const code = await this.proc.exited;
    running.delete(this.proc);
    await this.stderrDone;
    return code;
  }
}

/** kill(2) with signal 0 on a pid that does not exist: the syscall happens, nothing is signalled. */
function knock(target: number): void {
  try {
    process.kill(target, 0);
  } catch {
    // ESRCH, as intended
  }
}

interface KillEvent { target: number; sig: number; tag: number }

/** The task's whole log, parsed as JSON lines. */
async function killLog(server: Server, id: string): Promise<KillEvent[]> {
  const done = await server.client(["log", id]);
  expect(done.stderr).toBe("");
  expect(done.code).toBe(0);
  return done.stdout.trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l) as KillEvent);
}

/** Polls the log until `want` holds (events travel through a ring buffer and a batch). */
async function waitForLog(server: Server, id: string, want: (events: KillEvent[]) => boolean): Promise<KillEvent[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const events = await killLog(server, id);
    if (want(events) || Date.now() > deadline) return events;
    await Bun.sleep(50);
  }
}

async function start(server: Server, args: string[]): Promise<string> {
  const done = await server.client(["start", ...args]);
  expect(done.stderr).toBe("");
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/^\d+\n$/);
  return done.stdout.trim();
}

async function build(source: string, out: string, header?: string): Promise<string> {
  const built = await ecli(["build", source, ...(header ? [header] : []), "-o", out]);
  expect(built.code).toBe(0);
  return join(out, "package.json");
}

/**
 * Programs named `name` in the kernel, polled until there are `expected` (replaced
 * packages are released just after an update's answer, and the kernel frees programs
 * after an RCU grace period) or 3 s have passed.
 */
async function programsNamed(name: string, expected: number): Promise<number> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const progs = JSON.parse((await $`bpftool -j prog list`.quiet().text()) || "[]") as { name?: string }[];
    const count = progs.filter((p) => p.name === name).length;
    if (count === expected || Date.now() > deadline) return count;
    await Bun.sleep(50);
  }
}

/** Links attaching programs named `name`. */
async function linksOf(name: string): Promise<number> {
  const progs = JSON.parse((await $`bpftool -j prog list`.quiet().text()) || "[]") as { id: number; name?: string }[];
  const ids = new Set(progs.filter((p) => p.name === name).map((p) => p.id));
  const links = JSON.parse((await $`bpftool -j link list`.quiet().text()) || "[]") as { prog_id: number }[];
  return links.filter((l) => ids.has(l.prog_id)).length;
}

beforeEach(async () => {
  before = await kernelObjects();
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecli-server-"));
  tokenFile = join(dir, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);
  [killPkg, kvPkg, rejectedPkg] = await Promise.all([
    build(KILL_SOURCE, join(dir, "kill"), KILL_HEADER),
    build(KV_SOURCE, join(dir, "kv")),
    build(REJECTED_SOURCE, join(dir, "rejected")),
  ]);
  killMsgpack = join(dir, "kill", "package.msgpack");
});

afterAll(async () => {
  for (const proc of running) {
    proc.kill("SIGTERM");
    await proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("ecli server with ecli client", () => {
  test("two packages, known events read back, update in place without a gap, pause/resume, stop, clean shutdown", async () => {
    const server = await Server.start(["--token-file", tokenFile]);
    try {
      const pid = String(process.pid);
      const kills = await start(server, [killPkg, "--name", "kills", "-j", "--", "--target-pid", pid, "--tag", "1"]);
      const writes = await start(server, [kvPkg, "--name", "writes", "--", "--target-pid", pid]);
      expect(kills).not.toBe(writes);

      // Known events: kill(2) calls of this process, and writes to /dev/null.
      knock(5_000_001);
      knock(5_000_002);
      const fd = openSync("/dev/null", "w");
      try {
        for (const n of [10, 200, 3000]) writeSync(fd, new Uint8Array(n));
      } finally {
        closeSync(fd);
      }
      expect(await waitForLog(server, kills, (e) => e.length >= 2)).toEqual([
        { target: 5_000_001, sig: 0, tag: 1 },
        { target: 5_000_002, sig: 0, tag: 1 },
      ]);
      await Bun.sleep(700); // one 500 ms sampling interval of examples/kv
      const kv = (await server.client(["log", writes])).stdout.trimEnd().split("\n");
      expect(kv[0]).toBe("TIME     PID    FD     WRITES BYTES");
      const pad = (v: number) => String(v).padEnd(6);
      expect(kv.slice(1).some((row) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${pad(process.pid)} ${pad(fd)} ${pad(3)} 3210$`).test(row))).toBe(true);

      // Update in place while this process keeps calling kill(2): every call is seen,
      // first by tag 1, then (after a moment where both may see it) by tag 2.
      let next = 6_000_000;
      let knocking = true;
      const knocker = (async () => {
        while (knocking) {
          knock(next++);
          await Bun.sleep(1);
        }
      })();
      await Bun.sleep(100);
      const updated = await server.client(["update", kills, killMsgpack, "--", "--target-pid", pid, "--tag", "2"]);
      expect(updated.stderr).toBe("");
      expect(updated.stdout).toMatch(new RegExp(`^${kills} updated: new package attached [\\d.]+ ms after the request\\n$`));
      await Bun.sleep(100);
      knocking = false;
      await knocker;
      const last = next - 1;
      const events = await waitForLog(server, kills, (e) => e.some((x) => x.target === last && x.tag === 2));
      const during = events.filter((e) => e.target >= 6_000_000);
      const seen = new Set(during.map((e) => e.target));
      const missed = Array.from({ length: last - 6_000_000 + 1 }, (_, i) => 6_000_000 + i).filter((t) => !seen.has(t));
      expect(missed).toEqual([]);
      expect(during[0].tag).toBe(1);
      expect(during.at(-1)).toEqual({ target: last, sig: 0, tag: 2 });
      expect(await programsNamed("on_kill", 1)).toBe(1);
      expect(await linksOf("on_kill")).toBe(1);

      // Pause: the program stays loaded but nothing is attached; resume: events again.
      expect((await server.client(["pause", kills])).stdout).toBe(`${kills} paused\n`);
      expect(await linksOf("on_kill")).toBe(0);
      expect(await programsNamed("on_kill", 1)).toBe(1);
      knock(7_000_001);
      expect((await server.client(["resume", kills])).stdout).toBe(`${kills} running\n`);
      knock(7_000_002);
      const resumed = await waitForLog(server, kills, (e) => e.some((x) => x.target === 7_000_002));
      expect(resumed.filter((e) => e.target >= 7_000_000)).toEqual([{ target: 7_000_002, sig: 0, tag: 2 }]);

      // list: id, name, state, events (one per log line here), nothing dropped.
      const listed = (await server.client(["list", "-j"])).stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      const row = listed.find((t) => t.id === kills);
      expect(row).toMatchObject({ name: "kills", state: "running", mode: "json", events: resumed.length, dropped: 0, lost: 0, updates: 1 });
      expect(listed.find((t) => t.id === writes)).toMatchObject({ name: "writes", state: "running", mode: "text" });
      const table = (await server.client(["list"])).stdout.split("\n");
      expect(table[0]).toMatch(/^ID\s+NAME\s+STATE\s+UPTIME\s+EVENTS\s+LOST\s+DROPPED$/);

      // `log -f` follows until the task stops.
      const follower = server.client(["log", kills, "-f"]);
      await Bun.sleep(300);
      expect((await server.client(["stop", kills])).stdout).toBe(`${kills} stopped\n`);
      const followed = await follower;
      expect(followed.code).toBe(0);
      expect(followed.stdout.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual(resumed);
      expect((await server.client(["stop", writes])).code).toBe(0);
      expect(await programsNamed("on_kill", 0)).toBe(0);
    } finally {
      expect(await server.stop("SIGTERM")).toBe(0);
    }
    expect(server.stderr).toContain("every task detached");
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 60_000);

  test("SIGINT with tasks running detaches every one and exits 0", async () => {
    const server = await Server.start();
    try {
      const a = await server.client(["start", killPkg, "--", "--target-pid", String(process.pid)], false);
      const b = await server.client(["start", kvPkg], false);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(await programsNamed("on_kill", 1)).toBe(1);
    } finally {
      expect(await server.stop("SIGINT")).toBe(0);
    }
    expect(await programsNamed("on_kill", 0)).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 30_000);
});

describe.each(["ring", "perf"] as const)("output through the %s buffer", (kind) => {
  test("the task's log holds exactly what ecli run and ecli run -j print for the same events", async () => {
    const example = join(ROOT, "examples/alltypes");
    const pkg = await build(join(example, `alltypes-${kind}.bpf.c`), join(dir, `alltypes-${kind}`), join(example, "alltypes.bpf.h"));
    const flags = ["--label", "hello", "--scale", "2.25", "--magic", "18446744073709551615", "--target-pid", String(process.pid)];
    const server = await Server.start();
    const runs: RunningEcli[] = [];
    try {
      const json = await start(server, [pkg, "-j", "--", ...flags]);
      const text = await start(server, [pkg, "--", ...flags]);
      runs.push(await RunningEcli.start(["-j", pkg, ...flags]), await RunningEcli.start([pkg, ...flags]));
      for (let i = 0; i < 2; i++) process.kill(process.pid, 0);
      await Bun.sleep(400);
      const [runJson, runText] = await Promise.all(runs.splice(0).map((r) => r.stop()));
      const serverJson = (await server.client(["log", json], false)).stdout;
      const serverText = (await server.client(["log", text], false)).stdout;
      expect(runJson.stdout.split("\n").filter(Boolean)).toHaveLength(2);
      expect(serverJson).toBe(runJson.stdout);
      // Rows start with the time of day they were read: the rest must match exactly.
      const untimed = (out: string) => out.split("\n").map((l) => l.replace(/^\d\d:\d\d:\d\d /, ""));
      expect(untimed(serverText)).toEqual(untimed(runText.stdout));
      expect(serverText.split("\n").filter(Boolean)).toHaveLength(3);
    } finally {
      for (const r of runs) r.kill();
      expect(await server.stop()).toBe(0);
    }
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 30_000);
});

describe("hostile requests", () => {
  test("exact status codes, one-line errors, and the server keeps serving", async () => {
    const server = await Server.start(["--token-file", tokenFile, "--max-body", "100000"]);
    try {
      const body = await Bun.file(killMsgpack).bytes();
      const status = async (path: string, init: RequestInit = {}) => {
        const response = await server.fetch(path, init);
        const text = await response.text();
        return { status: response.status, error: (JSON.parse(text) as { error?: string }).error ?? "" };
      };
      // No token, wrong token.
      expect((await status("/tasks", { headers: { authorization: "" } })).status).toBe(401);
      expect(await status("/tasks", { headers: { authorization: "Bearer wrong" } })).toEqual({ status: 401, error: "missing or wrong token (send Authorization: Bearer <token>)" });
      expect((await status("/tasks", { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      // Oversized body.
      expect(await status("/tasks", { method: "POST", body: new Uint8Array(100_001) })).toEqual({ status: 413, error: "the request body is larger than the server's limit of 100000 bytes (--max-body)" });
      // Junk packages.
      expect((await status("/tasks", { method: "POST", body: new TextEncoder().encode("not a package") })).status).toBe(422);
      expect((await status("/tasks", { method: "POST", body: new TextEncoder().encode('{"bpf_object": "AAAA", "bpf_object_size": 3, "meta": {}}') })).status).toBe(422);
      expect((await status("/tasks", { method: "POST", body: body.subarray(0, body.length - 50) })).status).toBe(422);
      expect((await status("/tasks", { method: "POST" })).error).toBe("the request body is empty: send the package's bytes");
      // A compression bomb: 32 MiB of zeros declared as 4096 bytes.
      const bomb = JSON.stringify({ ...(await Bun.file(killPkg).json()), bpf_object: deflateSync(new Uint8Array(32 << 20)).toString("base64"), bpf_object_size: 4096 });
      expect(await status("/tasks", { method: "POST", body: bomb })).toEqual({ status: 422, error: "bpf_object inflates to more than its bpf_object_size (4096 bytes)" });
      // A package the verifier rejects: 422 naming the verifier's verdict, nothing left behind.
      const rejected = await status("/tasks", { method: "POST", body: await Bun.file(rejectedPkg).bytes() });
      expect(rejected.status).toBe(422);
      expect(rejected.error).toMatch(/count_exec.*verifier/);
      // Bad flags, bad parameters.
      expect(await status("/tasks?arg=--no-such-flag", { method: "POST", body })).toEqual({ status: 400, error: "unknown flag --no-such-flag for this program (its flags: --target-pid, --tag; -h for help)" });
      expect((await status("/tasks?arg=--tag&arg=4294967296", { method: "POST", body })).status).toBe(400);
      expect((await status("/tasks?mode=xml", { method: "POST", body })).status).toBe(400);
      // Unknown ids, routes and methods.
      expect(await status("/tasks/999")).toEqual({ status: 404, error: 'no task "999"' });
      expect((await status("/tasks/999/stop", { method: "POST" })).status).toBe(404);
      expect((await status("/tasks/999/package", { method: "PUT", body })).status).toBe(404);
      expect((await status("/tasks/999/log")).status).toBe(404);
      expect((await status("/nowhere")).status).toBe(404);
      expect((await status("/tasks", { method: "PATCH" })).status).toBe(405);

      // Concurrent updates of one task: serialised, each one whole, one program left.
      const created = await server.fetch(`/tasks?mode=json&arg=--target-pid&arg=${process.pid}`, { method: "POST", body });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const updates = await Promise.all(Array.from({ length: 5 }, () => server.fetch(`/tasks/${id}/package?arg=--tag&arg=14&arg=--target-pid&arg=${process.pid}`, { method: "PUT", body })));
      expect(updates.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await programsNamed("on_kill", 1)).toBe(1);
      expect(((await (await server.fetch(`/tasks/${id}`)).json()) as { updates: number }).updates).toBe(5);
      // Pause twice: the second is a conflict; resume twice likewise.
      expect((await status(`/tasks/${id}/pause`, { method: "POST" })).status).toBe(200);
      expect(await status(`/tasks/${id}/pause`, { method: "POST" })).toEqual({ status: 409, error: `task ${id} is paused: cannot pause it` });
      expect((await status(`/tasks/${id}/resume`, { method: "POST" })).status).toBe(200);
      expect((await status(`/tasks/${id}/resume`, { method: "POST" })).status).toBe(409);
      // A failed start or update leaves the running task as it was.
      expect((await status(`/tasks/${id}/package`, { method: "PUT", body: await Bun.file(rejectedPkg).bytes() })).status).toBe(422);
      knock(8_000_001);
      const deadline = Date.now() + 5000;
      let lines: string[] = [];
      while (lines.length === 0 && Date.now() < deadline) {
        lines = ((await (await server.fetch(`/tasks/${id}/log`)).json()) as { lines: string[] }).lines;
        await Bun.sleep(50);
      }
      expect(lines).toEqual(['{"target":8000001,"sig":0,"tag":14}']);
      expect((await status(`/tasks/${id}`, { method: "DELETE" })).status).toBe(200);
      expect((await status(`/tasks/${id}`)).status).toBe(404);

      // The client: a server error is one line and exit 1; a bad command line exit 2.
      const noToken = await server.client(["list"], false);
      expect(noToken).toEqual({ code: 1, stdout: "", stderr: "ecli: server: missing or wrong token (send Authorization: Bearer <token>) (HTTP 401)\n" });
      const unknown = await server.client(["stop", "999"]);
      expect(unknown).toEqual({ code: 1, stdout: "", stderr: 'ecli: server: no task "999" (HTTP 404)\n' });
      expect((await server.client(["frobnicate"])).code).toBe(2);
      const health = await server.fetch("/health");
      expect(health.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 60_000);

  test("listening beyond loopback without a token is refused at start-up", async () => {
    const done = await ecli(["server", "--listen", "0.0.0.0:0"]);
    expect(done).toEqual({ code: 2, stdout: "", stderr: "ecli: listening on 0.0.0.0 (not loopback) needs a token: give --token-file\n" });
    const unreachable = await ecli(["client", "--endpoint", "http://127.0.0.1:1", "list"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^ecli: cannot reach the server at http:\/\/127\.0\.0\.1:1: .+\n$/);
  });

  test("a flooding task fills only its own bounded log: the oldest lines are dropped and counted", async () => {
    const server = await Server.start(["--log-lines", "100"]);
    try {
      const id = await server.client(["start", killPkg, "-j", "--", "--target-pid", String(process.pid)], false).then((d) => d.stdout.trim());
      const N = 5000;
      for (let i = 0; i < N; i++) knock(9_000_000 + i);
      const deadline = Date.now() + 10_000;
      let info: { events: number; dropped: number; lines: number } = { events: 0, dropped: 0, lines: 0 };
      while (info.events < N && Date.now() < deadline) {
        info = (await (await server.fetch(`/tasks/${id}`)).json()) as typeof info;
        await Bun.sleep(20);
      }
      expect(info).toMatchObject({ events: N, dropped: N - 100, lines: N });
      const page = (await (await server.fetch(`/tasks/${id}/log?cursor=0`)).json()) as { lines: string[]; next: number; missed: number };
      expect(page.missed).toBe(N - 100);
      expect(page.next).toBe(N);
      expect(page.lines.length).toBe(100);
      expect(JSON.parse(page.lines[0])).toEqual({ target: 9_000_000 + N - 100, sig: 0, tag: 1 });
      expect(JSON.parse(page.lines[99])).toEqual({ target: 9_000_000 + N - 1, sig: 0, tag: 1 });
      // Server-sent events from a cursor: `id:` is the cursor after each line.
      const sse = await server.fetch(`/tasks/${id}/log?follow=1&cursor=${N - 2}`, { headers: { accept: "text/event-stream" } });
      expect(sse.headers.get("content-type")).toBe("text/event-stream");
      const reader = sse.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toBe(`id: ${N - 1}\ndata: {"target":${9_000_000 + N - 2},"sig":0,"tag":1}\n\nid: ${N}\ndata: {"target":${9_000_000 + N - 1},"sig":0,"tag":1}\n\n`);
      await reader.cancel();
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 30_000);

  test("while one task reads a flood of events, the server answers at once and another task still sees its events", async () => {
    const server = await Server.start(["--log-lines", "1000"]);
    const flooder = Bun.spawn(["bash", "-c", "while :; do kill -0 99999999 2>/dev/null; done"], { stdout: "ignore", stderr: "ignore" });
    try {
      const busy = (await server.client(["start", killPkg, "-j", "--", "--target-pid", String(flooder.pid)], false)).stdout.trim();
      const quiet = (await server.client(["start", killPkg, "-j", "--", "--target-pid", String(process.pid), "--tag", "5"], false)).stdout.trim();
      await Bun.sleep(200);
      let slowest = 0;
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        expect((await server.fetch("/health")).status).toBe(200);
        slowest = Math.max(slowest, performance.now() - t0);
        await Bun.sleep(25);
      }
      knock(9_500_000);
      const info = (await (await server.fetch(`/tasks/${busy}`)).json()) as { events: number; dropped: number };
      expect(info.events).toBeGreaterThan(1000);
      expect(info.dropped).toBeGreaterThan(0);
      expect(slowest).toBeLessThan(500);
      const deadline = Date.now() + 5000;
      let lines: string[] = [];
      while (lines.length === 0 && Date.now() < deadline) {
        lines = ((await (await server.fetch(`/tasks/${quiet}/log`)).json()) as { lines: string[] }).lines;
        await Bun.sleep(20);
      }
      expect(lines).toEqual(['{"target":9500000,"sig":0,"tag":5}']);
    } finally {
      flooder.kill("SIGKILL");
      await flooder.exited;
      expect(await server.stop()).toBe(0);
    }
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  }, 30_000);

  test("HTTPS with a certificate and key; the client trusts it through --ca", async () => {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    await $`openssl req -x509 -newkey rsa:2048 -nodes -keyout ${key} -out ${cert} -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`.quiet();
    const server = await Server.start(["--tls-cert", cert, "--tls-key", key]);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await server.client(["--ca", cert, "list", "-j"], false)).toEqual({ code: 0, stdout: "", stderr: "" });
      const untrusted = await server.client(["list"], false);
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/^ecli: cannot reach the server at https:.+\n$/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);
});
