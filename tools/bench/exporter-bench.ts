/**
 * Benchmark of `ecli exporter`'s two paths (not a timed test); prints a markdown table.
 *
 *   node_modules/.bin/bun tools/bench/exporter-bench.ts [--ecli PATH] [--events N] [--scrapes N]
 *
 * - event path, CPU per event: the exporter runs in this process with examples/opensnoop
 *   and the original config (a counter labelled pid, comm, filename), filtered to a child
 *   process that opens files N times; CPU is this process's user+system time (main thread
 *   and the epoll worker) from the first event to the last, divided by events handled.
 *   Once with one file name (one series), once with 1,000 names (1,000 series).
 * - scrape latency with 10,000 series: GET /metrics over loopback HTTP, (a) 10,000 series
 *   of that event counter (10,000 distinct names opened), (b) a map counter over a hash
 *   map of examples/syscall-latency filled with 10,000 keys (read at scrape time:
 *   one get-next-key and one lookup syscall per key).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $ } from "bun";
import { Exporter, readProgramConfig, serveExporter } from "@eunomia/exporter";

const ROOT = resolve(import.meta.dir, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const ECLI = option("--ecli", process.env.ECLI_BIN ?? join(ROOT, "dist/ecli"));
const EVENTS = Number(option("--events", "200000"));
const SCRAPES = Number(option("--scrapes", "30"));
const SERIES = 10_000;
const dir = mkdtempSync(join(tmpdir(), "ecli-exporter-bench-"));

async function build(name: string, sources: string[]): Promise<string> {
  await $`${ECLI} build ${sources.map((s) => join(ROOT, "examples", name, s))} -o ${join(dir, name)}`.quiet();
  return join(dir, name, "package.json");
}

/** A child that, once told to on stdin, opens `count` paths (cycling through `names` names) and exits. */
function opener(count: number, names: number, pauseEvery = 0) {
  const script = `
    const fs = require("node:fs");
    process.stdin.once("data", async () => {
      for (let i = 0; i < ${count}; i++) {
        try { fs.closeSync(fs.openSync("/nonexistent/ecli-bench-" + (i % ${names}), "r")); } catch {}
        if (${pauseEvery} && i % ${pauseEvery} === ${pauseEvery} - 1) await Bun.sleep(2);
      }
      process.exit(0);
    });`;
  return Bun.spawn([BUN, "-e", script], { stdin: "pipe", stdout: "ignore", stderr: "inherit" });
}

const seedMetrics = `
metrics:
  counters:
    - name: eunomia_file_open_counter
      description: opens
      labels: [{ name: pid }, { name: comm }, { name: filename, from: fname }]`;

/** Runs the event path once; returns CPU µs per event, events handled and lost. */
async function eventPath(opensnoop: string, names: number, count: number) {
  const exporter = new Exporter();
  try {
    const child = opener(count, names);
    const id = await exporter.start(readProgramConfig(`name: bench\ncompiled_ebpf_filename: ${opensnoop}\nflags: { target_pid: ${child.pid} }${seedMetrics}`, "bench"));
    const handled = () => exporter.list().find((p) => p.id === id)!.events;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    child.stdin.write("go\n");
    child.stdin.end();
    await child.exited;
    // Drain: wait until the count stops moving.
    let last = -1;
    while (handled() !== last) {
      last = handled();
      await Bun.sleep(100);
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0 - 100;
    const text = await exporter.metrics();
    const lost = Number(/ecli_exporter_events_lost_total\{program="bench"\} (\d+)/.exec(text)?.[1] ?? 0);
    return { usPerEvent: (cpu.user + cpu.system) / last, events: last, lost, wallMs };
  } finally {
    await exporter.close();
  }
}

/** Times `SCRAPES` GETs of /metrics; returns p50/p95 ms and the body size. */
async function scrape(url: string) {
  await fetch(url).then((r) => r.text()); // warm up
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    bytes = (await (await fetch(url)).text()).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p95: at(0.95), bytes };
}

async function scrapeEventSeries(opensnoop: string) {
  const exporter = new Exporter();
  const server = serveExporter(exporter, { hostname: "127.0.0.1", port: 0 });
  try {
    // The pid filter is a load-time constant, so each round starts the program for its own
    // child; a round that lost events to a full ring buffer is dropped and run again.
    let series = 0;
    for (let round = 0; round < 5 && series < SERIES; round++) {
      const child = opener(SERIES, SERIES, 100);
      const id = await exporter.start(readProgramConfig(`name: bench${round}\ncompiled_ebpf_filename: ${opensnoop}\nflags: { target_pid: ${child.pid} }${seedMetrics.replace("eunomia_file_open_counter", `eunomia_file_open_counter${round}`)}`, "bench"));
      child.stdin.write("go\n");
      child.stdin.end();
      await child.exited;
      await Bun.sleep(300);
      series = (await exporter.metrics()).split("\n").filter((l) => l.startsWith(`eunomia_file_open_counter${round}{`)).length;
      if (series < SERIES) await exporter.stop(id);
    }
    return { series, ...(await scrape(`http://127.0.0.1:${server.port}/metrics`)) };
  } finally {
    server.stop(true);
    await exporter.close();
  }
}

async function scrapeMapSeries(latency: string) {
  const exporter = new Exporter();
  const server = serveExporter(exporter, { hostname: "127.0.0.1", port: 0 });
  try {
    const mapIds = async () => new Set((JSON.parse(await $`bpftool -j map show`.text()) as { id: number; name: string }[]).filter((m) => m.name === "start").map((m) => m.id));
    const before = await mapIds();
    // A pid that never runs: the program leaves the map to us.
    await exporter.start(readProgramConfig(`name: bench\ncompiled_ebpf_filename: ${latency}\nflags: { target_pid: 2147483647 }
metrics:
  counters:
    - name: ecli_bench_map_total
      map: start
      labels: [{ name: thread, size: 8, decoders: [{ name: uint }] }]`, "bench"));
    const id = [...(await mapIds())].find((m) => !before.has(m));
    const hex = (n: number) => Array.from(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer), (b) => b.toString(16).padStart(2, "0")).join(" ");
    const batch = Array.from({ length: SERIES }, (_, i) => `map update id ${id} key hex ${hex(i + 1)} value hex ${hex(i)}`).join("\n");
    writeFileSync(join(dir, "fill.batch"), `${batch}\n`);
    await $`bpftool batch file ${join(dir, "fill.batch")}`.quiet();
    const series = (await exporter.metrics()).split("\n").filter((l) => l.startsWith("ecli_bench_map_total{")).length;
    return { series, ...(await scrape(`http://127.0.0.1:${server.port}/metrics`)) };
  } finally {
    server.stop(true);
    await exporter.close();
  }
}

const opensnoop = await build("opensnoop", ["opensnoop.bpf.c", "opensnoop.bpf.h"]);
const latency = await build("syscall-latency", ["syscall-latency.bpf.c"]);
try {
  const one = await eventPath(opensnoop, 1, EVENTS);
  const many = await eventPath(opensnoop, 1000, EVENTS);
  const events = await scrapeEventSeries(opensnoop);
  const map = await scrapeMapSeries(latency);
  const f = (n: number, d = 2) => n.toFixed(d);
  console.log(`| measure | value | detail |
| --- | --- | --- |
| event path, 1 series: CPU per event | ${f(one.usPerEvent)} µs | ${one.events} events handled (${one.lost} lost) in ${f(one.wallMs / 1000)} s |
| event path, 1,000 series: CPU per event | ${f(many.usPerEvent)} µs | ${many.events} events handled (${many.lost} lost) in ${f(many.wallMs / 1000)} s |
| scrape, ${events.series} event-counter series: p50 / p95 | ${f(events.p50, 1)} / ${f(events.p95, 1)} ms | ${SCRAPES} GETs of /metrics, ${Math.round(events.bytes / 1024)} KiB each |
| scrape, ${map.series} map-counter series: p50 / p95 | ${f(map.p50, 1)} / ${f(map.p95, 1)} ms | ${SCRAPES} GETs of /metrics, ${Math.round(map.bytes / 1024)} KiB each, map read at each scrape |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
