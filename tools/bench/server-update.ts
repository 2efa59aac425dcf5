/**
 * Benchmark of `ecli server` (not a timed test): hot updates through the HTTP API and
 * start/stop cycles, on examples/bootstrap. Prints a markdown table.
 *
 *   node_modules/.bin/bun tools/bench/server-update.ts [--ecli PATH] [--updates N] [--cycles N]
 *
 * - update latency: from the PUT request sent to its answer, which the server sends once
 *   the new package is attached and the old one detached and released (p50/p99), and
 *   the server's own measure of the same (`update_ms`);
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
    const released: number[] = [];
    const serverAttached: number[] = [];
    const serverReleased: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const t0 = performance.now();
      await call("PUT", `/tasks/${id}/package?arg=--min-duration-ns&arg=${i}`, msgpack);
      attached.push(performance.now() - t0);
      // Poll until the server says the old package is released, so updates do not overlap.
      let info = await call("GET", `/tasks/${id}`);
      while (info.last_update?.released_ms === undefined) {
        await Bun.sleep(1);
        info = await call("GET", `/tasks/${id}`);
      }
      released.push(performance.now() - t0);
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
    await Bun.sleep(500);
    const rssAfter = rssKb(server.pid);
    const held = bpfFds(server.pid);
    await Bun.sleep(1000); // the kernel frees released objects after an RCU grace period
    const kernelAfter = await kernelIds();
    const newKernelIds = [...kernelAfter].filter((k) => !kernelBefore.has(k));

    for (const list of [attached, released, serverAttached, serverReleased, cycleMs]) list.sort((a, b) => a - b);
    const ms = (v: number) => v.toFixed(1);
    const p5099 = (list: number[]) => `${ms(percentile(list, 50))} / ${ms(percentile(list, 99))} ms`;
    const rows = [
      ["hot update, request sent → answer: new package attached (p50 / p99)", `${p5099(attached)} over ${UPDATES} updates`, "p50 ≤ 50 ms, p99 ≤ 100 ms"],
      ["hot update, request sent → old package detached and released (p50 / p99)", p5099(released), "p50 ≤ 50 ms, p99 ≤ 100 ms"],
      ["same two, timed inside the server from the request's arrival", `${p5099(serverAttached)}; ${p5099(serverReleased)}`, ""],
      ["start + stop through the API (p50 / p99)", `${ms(percentile(cycleMs, 50))} / ${ms(percentile(cycleMs, 99))} ms over ${CYCLES} cycles`, ""],
      ["BPF fds the server holds after the cycles (prog / map / link / perf_event)", `${held["bpf-prog"] ?? 0} / ${held["bpf-map"] ?? 0} / ${held.bpf_link ?? 0} / ${held.perf_event ?? 0}`, "0"],
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
