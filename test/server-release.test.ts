/**
 * End to end on the real kernel: how `ecli server` lets go of packages. Closing a
 * tracepoint link waits out a grace period in the kernel (tens of ms), so the server
 * destroys links on worker threads: an update is answered and the server keeps answering
 * while the old package is still being released, and a storm of starts and stops cannot
 * pile up attached programs (a tracepoint takes 64 at most). Nothing is left behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ecli, ecliCommand, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease } from "./helpers/kernel.ts";

let dir: string;
let pkg: Uint8Array;
let server: Subprocess<"ignore", "ignore", "pipe"> | undefined;
/** Servers started and not yet stopped: afterAll ends them if a failed test did not. */
const running = new Set<Subprocess>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecli-server-release-"));
  const built = await ecli(["build", join(ROOT, "examples/bootstrap/bootstrap.bpf.c"), join(ROOT, "examples/bootstrap/bootstrap.bpf.h"), "-o", dir]);
  expect(built.code).toBe(0);
  pkg = await Bun.file(join(dir, "package.msgpack")).bytes();
});

afterAll(() => {
  for (const proc of running) proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(): Promise<string> {
  const proc = Bun.spawn([...ecliCommand(), "server", "--listen", "127.0.0.1:0"], { cwd: ROOT, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  server = proc;
  running.add(proc);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr) {
    text += decoder.decode(chunk, { stream: true });
    const m = /listening on (\S+)/.exec(text);
    if (m) return m[1];
  }
  throw new Error(`ecli server did not start: ${text}`);
}

async function stopServer(): Promise<number> {
  const proc = server!;
  proc.kill("SIGTERM");
  const code = await proc.exited;
  running.delete(proc);
  server = undefined;
  return code;
}

/** bpf_link fds the server holds: a link's fd leaves the table as its close begins. */
function serverLinks(): number {
  const pid = server!.pid;
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === "anon_inode:bpf_link";
    } catch {
      return false;
    }
  }).length;
}

interface TaskInfo { id: string; state: string; updates: number; last_update?: { attached_ms: number; released_ms?: number } }

async function call(url: string, method: string, path: string, body?: Uint8Array): Promise<{ status: number; task: TaskInfo }> {
  const response = await fetch(`${url}${path}`, { method, body: body as Uint8Array<ArrayBuffer> | undefined });
  return { status: response.status, task: (await response.json()) as TaskInfo };
}

describe("ecli server releases packages off its event loop", () => {
  test("an update is answered, and the next request too, while the old package is still being released", async () => {
    const before = await kernelObjects();
    const url = await startServer();
    const { status, task } = await call(url, "POST", "/tasks?mode=json", pkg);
    expect(status).toBe(201);
    expect(serverLinks()).toBe(2); // handle_exec and handle_exit

    for (let i = 0; i < 5; i++) {
      const updated = await call(url, "PUT", `/tasks/${task.id}/package`, pkg);
      expect(updated.status).toBe(200);
      expect(updated.task.updates).toBe(i + 1);
      // The old links' closes wait out a grace period in the kernel (at least ~15 ms
      // here): a server blocked in them would answer this only once released_ms is set.
      const next = await call(url, "GET", `/tasks/${task.id}`);
      expect(next.task.last_update?.attached_ms).toBeGreaterThan(0);
      expect(next.task.last_update?.released_ms).toBeUndefined();
      let info = next.task;
      for (let t = 0; t < 500 && info.last_update?.released_ms === undefined; t++) {
        await Bun.sleep(2);
        info = (await call(url, "GET", `/tasks/${task.id}`)).task;
      }
      expect(info.last_update!.released_ms!).toBeGreaterThan(info.last_update!.attached_ms);
      expect(serverLinks()).toBe(2); // only the new package's
    }
    expect(await stopServer()).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("a storm of starts and stops never fails (released programs do not pile up on a tracepoint) and leaks nothing", async () => {
    const before = await kernelObjects();
    const url = await startServer();
    // Four clients at once, each starting and stopping as fast as it can.
    const statuses: number[] = [];
    const errors: string[] = [];
    const client = async () => {
      for (let i = 0; i < 60; i++) {
        const response = await fetch(`${url}/tasks`, { method: "POST", body: pkg });
        statuses.push(response.status);
        const body = (await response.json()) as TaskInfo & { error?: string };
        if (response.status !== 201) return void errors.push(body.error ?? "");
        statuses.push((await call(url, "DELETE", `/tasks/${body.id}`)).status);
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    expect(errors).toEqual([]);
    expect(statuses.filter((s) => s !== 201 && s !== 200)).toEqual([]);
    expect(statuses.length).toBe(480);
    // Stops are answered before their links are closed: the last ones go within a few grace periods.
    for (let t = 0; t < 200 && serverLinks() > 0; t++) await Bun.sleep(10);
    expect(serverLinks()).toBe(0);
    expect(await stopServer()).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
