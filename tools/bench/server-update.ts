/**
 * Benchmark of `ecli server` (not a timed test): hot updates through the HTTP API and
 * start/stop cycles, on examples/bootstrap. Prints a markdown table.
 *
 *   node_modules/.bin/bun tools/bench/server-update.ts [--ecli PATH] [--updates N] [--cycles N] [--raw FILE]
 *
 * - update latency (p50/p99), all from the PUT request sent: "attached" is its answer
 *   (the new package attached; the old one still attached, so no gap); "detached" is the
 *   moment the server no longer holds the old package's link fds (read from /proc/PID/fd:
 *   a link's fd leaves the table as its close(2) begins, and the kernel unhooks the
 *   program at the start of that close, before it waits out a grace period); "released"
 *   is when the server reports `last_update.released_ms` (every close returned, the
 *   old object's maps and programs closed). Also the server's own measures, and how long
 *   the first request sent right after the answer waits (the event loop is free or not);
 * - start/stop cycles: BPF file descriptors the server still holds afterwards (programs,
 *   maps, links, perf events: read from /proc/PID/fd, so other users of the kernel do not
 *   count), ids of programs/maps/links kernel-wide that were not there before, and the
 *   server's resident memory growth (VmRSS after a warm-up vs after the cycles);
 * - payload bytes of one start: the MessagePack form the client sends, and the JSON form.
 */
import { mkdtempSync, readdirSync, readlinkSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $ } from "bun";

const ROOT = resolve(import.meta.dir, "../..");

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const ECLI = option("--ecli", process.env.ECLI_BIN ?? join(ROOT, "dist/ecli"));
const UPDATES = Number(option("--updates", "250"));
const CYCLES = Number(option("--cycles", "500"));
const WARMUP_CYCLES = 20;
/** When given, every sample (ms, in update order) is written there as JSON, for a closer look. */
const RAW = option("--raw", "");

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** BPF and perf file descriptors held by `pid`, by kind. */
function bpfFds(pid: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^anon_inode:\[?(bpf-prog|bpf-map|bpf_link|perf_event)\]?$/.exec(target);
    if (m) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  return counts;
}

async function kernelIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const kind of ["prog", "map", "link"]) {
    const list = JSON.parse((await $`bpftool -j ${kind} list`.quiet().text()) || "[]") as { id: number }[];
    for (const item of list) ids.add(`${kind}:${item.id}`);
  }
  return ids;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ecli-server-bench-"));
  await $`${ECLI} build ${ROOT}/examples/bootstrap/bootstrap.bpf.c ${ROOT}/examples/bootstrap/bootstrap.bpf.h -o ${dir}`.quiet();
  const msgpack = await Bun.file(join(dir, "package.msgpack")).bytes();
  const json = await Bun.file(join(dir, "package.json")).bytes();

  const server = Bun.spawn([ECLI, "server", "--listen", "127.0.0.1:0"], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  let url = "";
  const decoder = new TextDecoder();
  let stderr = "";
  for await (const chunk of server.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    const m = /listening on (\S+)/.exec(stderr);
    if (m) {
      url = m[1];
      break;
    }
  }
  if (!url) throw new Error(`the server did not start: ${stderr}`);
  const call = async (method: string, path: string, body?: Uint8Array) => {
    const response = await fetch(`${url}${path}`, { method, body: body as Uint8Array<ArrayBuffer> | undefined });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string; last_update?: { attached_ms: number; released_ms?: number } };
  };

  try {
    const kernelBefore = await kernelIds();
    // Hot updates of one running task.
    const { id } = await call("POST", "/tasks?mode=json", msgpack);
    const attached: number[] = [];
    const detached: number[] = [];
    const released: number[] = [];
    const serverAttached: number[] = [];
    const serverReleased: number[] = [];
    const firstRequest: number[] = [];
    const links = () => bpfFds(server.pid).bpf_link ?? 0;
    for (let i = 0; i < UPDATES; i++) {
      const oldLinks = links();
      const t0 = performance.now();
      await call("PUT", `/tasks/${id}/package?arg=--min-duration-ns&arg=${i}`, msgpack);
      attached.push(performance.now() - t0);
      // The new package (the same one) holds as many links as the old one did; the old
      // ones' fds go as their closes begin (maybe already: the release starts right after the answer).
      let detachedAt: number | undefined;
      const checkDetached = () => {
        if (detachedAt === undefined && links() <= oldLinks) detachedAt = performance.now();
      };
      checkDetached();
      // Poll until the server says the old package is released, so updates do not overlap.
      const t1 = performance.now();
      let info = await call("GET", `/tasks/${id}`);
      firstRequest.push(performance.now() - t1);
      while (info.last_update?.released_ms === undefined) {
        checkDetached();
        await Bun.sleep(1);
        info = await call("GET", `/tasks/${id}`);
      }
      const releasedAt = performance.now();
      checkDetached();
      released.push(releasedAt - t0);
      detached.push((detachedAt ?? releasedAt) - t0);
      serverAttached.push(info.last_update?.attached_ms ?? NaN);
      serverReleased.push(info.last_update?.released_ms ?? NaN);
    }
    await call("DELETE", `/tasks/${id}`);

    // Start/stop cycles.
    for (let i = 0; i < WARMUP_CYCLES; i++) await call("DELETE", `/tasks/${(await call("POST", "/tasks", msgpack)).id}`);
    Bun.gc(true);
    const rssBefore = rssKb(server.pid);
    const cycleMs: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const t0 = performance.now();
      await call("DELETE", `/tasks/${(await call("POST", "/tasks", msgpack)).id}`);
      cycleMs.push(performance.now() - t0);
    }
    // A stop is answered before its links are closed (each close waits out a grace period
    // in the kernel, off the event loop): wait until the last release is done.
    const drainStart = performance.now();
    const heldCount = () => Object.values(bpfFds(server.pid)).reduce((a, b) => a + b, 0);
    while (heldCount() > 0 && performance.now() - drainStart < 10_000) await Bun.sleep(5);
    const drainMs = performance.now() - drainStart;
    await Bun.sleep(500);
    const rssAfter = rssKb(server.pid);
    const held = bpfFds(server.pid);
    await Bun.sleep(1000); // the kernel frees released objects after an RCU grace period
    const kernelAfter = await kernelIds();
    const newKernelIds = [...kernelAfter].filter((k) => !kernelBefore.has(k));

    if (RAW) await Bun.write(RAW, JSON.stringify({ attached, detached, released, serverAttached, serverReleased, firstRequest, cycleMs }));
    for (const list of [attached, detached, released, serverAttached, serverReleased, firstRequest, cycleMs]) list.sort((a, b) => a - b);
    const ms = (v: number) => v.toFixed(1);
    const p5099 = (list: number[]) => `${ms(percentile(list, 50))} / ${ms(percentile(list, 99))} ms`;
    const rows = [
      ["hot update, request sent → answer: new package attached (p50 / p99)", `${p5099(attached)} over ${UPDATES} updates`, "p50 ≤ 50 ms, p99 ≤ 100 ms"],
      ["hot update, request sent → old package detached (its link fds closing, p50 / p99)", p5099(detached), "p50 ≤ 50 ms, p99 ≤ 100 ms"],
      ["hot update, request sent → old package released (every close returned, object closed; p50 / p99)", p5099(released), ""],
      ["attached and released, timed inside the server from the request's arrival", `${p5099(serverAttached)}; ${p5099(serverReleased)}`, ""],
      ["first request sent right after an update's answer, answered in (p50 / p99)", p5099(firstRequest), ""],
      ["start + stop through the API (p50 / p99)", `${ms(percentile(cycleMs, 50))} / ${ms(percentile(cycleMs, 99))} ms over ${CYCLES} cycles`, ""],
      ["BPF fds the server holds after the cycles (prog / map / link / perf_event)", `${held["bpf-prog"] ?? 0} / ${held["bpf-map"] ?? 0} / ${held.bpf_link ?? 0} / ${held.perf_event ?? 0} (the last release done ${ms(drainMs)} ms after the last answer)`, "0"],
      ["programs/maps/links in the kernel not there before (any user)", `${newKernelIds.length}${newKernelIds.length ? ` (${newKernelIds.slice(0, 6).join(", ")})` : ""}`, "0"],
      ["server RSS growth over the cycles", `${((rssAfter - rssBefore) / 1024).toFixed(1)} MB (${(rssBefore / 1024).toFixed(1)} → ${(rssAfter / 1024).toFixed(1)} MB)`, "< 10 MB"],
      ["payload of one start (MessagePack form, as the client sends it)", `${msgpack.length} bytes (JSON form: ${json.length} bytes)`, ""],
    ];
    process.stdout.write(`| ecli server, examples/bootstrap | measured | goal |\n| --- | --- | --- |\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
