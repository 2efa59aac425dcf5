/**
 * End to end with a real Prometheus: `ecli exporter` runs the opensnoop example with the
 * original eunomia-exporter config (a counter per openat(2), labels pid, comm, filename
 * from fname) and the syscall-latency example (a counter and a log2 histogram read from
 * maps, labelled through the `syscall` decoder). Debian's prometheus scrapes it every
 * second; this process opens a file and calls fsync(2) a known number of times, and the
 * values must arrive exactly through Prometheus' query API. Then the program API (list,
 * stop, start), promtool on the exposition, and nothing left loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { freePort, Prometheus, promtoolCheck } from "./helpers/prometheus.ts";
import { buildExample, RunningExporter, sampleValue } from "./exporter-helpers.ts";

const OPENS = 5;
const FSYNCS = 7;
let dir: string;
let before: KernelObjects;
let exporter: RunningExporter;
let prometheus: Prometheus;
let opensnoopPkg: string;
let probeFile: string;

beforeAll(async () => {
  before = await kernelObjects();
  dir = mkdtempSync(join(tmpdir(), "ecli-exporter-"));
  opensnoopPkg = await buildExample("opensnoop", ["opensnoop.bpf.c", "opensnoop.bpf.h"], dir);
  const latencyPkg = await buildExample("syscall-latency", ["syscall-latency.bpf.c"], dir);
  // The examples' own configs, pointed at the packages just built; syscall-latency counts this process only.
  const seed = readFileSync(join(ROOT, "examples/opensnoop/config.yaml"), "utf8").replace("examples/opensnoop/package.json", opensnoopPkg);
  const latency = readFileSync(join(ROOT, "examples/syscall-latency/config.yaml"), "utf8")
    .replace("examples/syscall-latency/package.json", latencyPkg)
    .replace(/^programs:\n/m, "")
    .replace(/^(    compiled_ebpf_filename: .*)$/m, `$1\n    flags:\n      target_pid: ${process.pid}`);
  const config = join(dir, "config.yaml");
  writeFileSync(config, `${seed}\n${latency}`);
  const port = freePort();
  exporter = await RunningExporter.start(config, port);
  prometheus = await Prometheus.start([`127.0.0.1:${port}`]);
  await prometheus.waitForTargetsUp();
  probeFile = join(dir, "probe-file");
  writeFileSync(probeFile, "x");
  for (let i = 0; i < OPENS; i++) closeSync(openSync(probeFile, "r"));
  const fd = openSync(join(dir, "fsync-file"), "w");
  for (let i = 0; i < FSYNCS; i++) fsyncSync(fd);
  closeSync(fd);
}, 60_000);

afterAll(async () => {
  exporter?.proc.kill("SIGKILL");
  await prometheus?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("ecli exporter scraped by a real Prometheus", () => {
  test("counter from events, original config: one series per file with pid, comm and filename, counting every open", async () => {
    const promql = `eunomia_file_open_counter{filename="${probeFile}"}`;
    // One more open than OPENS: writeFileSync opened the file to create it.
    const samples = await prometheus.queryUntil(promql, (s) => s.length === 1 && s[0].value === OPENS + 1);
    expect(samples).toHaveLength(1);
    expect(samples[0].value).toBe(OPENS + 1);
    const { __name__, job, instance, ...labels } = samples[0].metric;
    expect(__name__).toBe("eunomia_file_open_counter");
    expect(labels).toEqual({ pid: String(process.pid), comm: samples[0].metric.comm, filename: probeFile });
    // The opening thread's comm: Bun's main thread is named after the executable.
    expect(samples[0].metric.comm).toBe(readFileSync(`/proc/${process.pid}/comm`, "utf8").trim());
  });

  test("counter read from a map, labelled through uint + syscall decoders", async () => {
    const samples = await prometheus.queryUntil(`ecli_syscalls_total{syscall="fsync"}`, (s) => s[0]?.value === FSYNCS);
    expect(samples.map((s) => s.value)).toEqual([FSYNCS]);
  });

  test("histogram read from a per-CPU map: count, +Inf bucket and cumulative buckets agree", async () => {
    const count = await prometheus.queryUntil(`ecli_syscall_latency_seconds_count{syscall="fsync"}`, (s) => s[0]?.value === FSYNCS);
    expect(count.map((s) => s.value)).toEqual([FSYNCS]);
    const buckets = await prometheus.query(`ecli_syscall_latency_seconds_bucket{syscall="fsync"}`);
    expect(buckets).toHaveLength(28); // bucket_min 0 .. bucket_max 26, and +Inf
    const byLe = new Map(buckets.map((b) => [b.metric.le, b.value]));
    expect(byLe.get("+Inf")).toBe(FSYNCS);
    expect(byLe.get("67.108864")).toBe(FSYNCS); // 2^26 us: every call is under 67 s
    const ordered = [...byLe.entries()].filter(([le]) => le !== "+Inf").sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
    expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
  });

  test("self-metrics: events handled and lost, scrapes timed", async () => {
    const handled = await prometheus.queryUntil(`ecli_exporter_events_total{program="opensnoop"}`, (s) => (s[0]?.value ?? 0) >= OPENS);
    expect(handled[0].value).toBeGreaterThanOrEqual(OPENS);
    const lost = await prometheus.query(`ecli_exporter_events_lost_total{program="opensnoop"}`);
    expect(lost.map((s) => s.value)).toEqual([0]);
    const scrapes = await prometheus.query("ecli_exporter_scrape_duration_seconds_count");
    expect(scrapes[0].value).toBeGreaterThan(0);
  });

  test("promtool check metrics: only the seed config's own metric name draws lint warnings", async () => {
    const { problems } = await promtoolCheck(await exporter.metrics());
    expect(problems).toEqual([
      'eunomia_file_open_counter counter metrics should have "_total" suffix',
      "eunomia_file_open_counter metric name should not include type 'counter'",
    ]);
    const clean = (await exporter.metrics()).split("\n\n").filter((block) => !block.includes("eunomia_file_open_counter")).join("\n\n");
    expect(await promtoolCheck(clean)).toEqual({ code: 0, problems: [] });
  });
});

describe("the program API", () => {
  test("list, stop by id, start from a posted config", async () => {
    const list = async () => (await fetch(`${exporter.url}/list`)).json() as Promise<{ id: number; name: string; metrics: string[] }[]>;
    expect((await list()).map((p) => [p.id, p.name])).toEqual([[1, "opensnoop"], [2, "syscall_latency"]]);
    expect(await (await fetch(`${exporter.url}/stop`, { method: "POST", body: JSON.stringify({ id: 1 }) })).json()).toEqual({ stopped: 1 });
    expect((await list()).map((p) => p.id)).toEqual([2]);
    expect(sampleValue(await exporter.metrics(), "eunomia_file_open_counter", { pid: "1", comm: "x", filename: "y" })).toBeUndefined();
    expect(await exporter.metrics()).not.toContain("eunomia_file_open_counter");

    const posted = JSON.stringify({
      name: "opens", compiled_ebpf_filename: opensnoopPkg, flags: { target_pid: process.pid },
      metrics: { counters: [{ name: "ecli_opens_total", help: "opens by file", labels: [{ name: "file", from: "fname" }] }] },
    });
    const started = await fetch(`${exporter.url}/start`, { method: "POST", body: posted });
    expect(await started.json()).toEqual({ id: 3 });
    for (let i = 0; i < 3; i++) closeSync(openSync(probeFile, "r"));
    let value: number | undefined;
    for (let i = 0; i < 40 && value !== 3; i++, await Bun.sleep(50)) value = sampleValue(await exporter.metrics(), "ecli_opens_total", { file: probeFile });
    expect(value).toBe(3);

    const bad = await fetch(`${exporter.url}/start`, { method: "POST", body: posted.replace('"opens"', '"opens2"') });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/metric ecli_opens_total is already defined \(by program opens\)/);
    const missing = await fetch(`${exporter.url}/stop?id=99`, { method: "POST" });
    expect(missing.status).toBe(404);
  });

  test("SIGINT ends the exporter with code 0 and nothing left loaded", async () => {
    const { code, stderr } = await exporter.stop("SIGINT");
    expect(stderr).not.toMatch(/error|stopped reading/i);
    expect(code).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
