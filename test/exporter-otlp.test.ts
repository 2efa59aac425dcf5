/**
 * End to end, OTLP: `ecli exporter` with `otlp:` in its config pushes its metrics every
 * 500 ms to a loopback receiver (Bun.serve at /v1/metrics) that decodes the OTLP/HTTP
 * JSON payload. This process opens a file a known number of times; the pushed counter
 * (labels from event fields), the event histogram (over the `uid` field) and the map
 * counter must carry exactly the values /metrics shows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { freePort } from "./helpers/prometheus.ts";
import { buildExample, RunningExporter, sampleValue } from "./exporter-helpers.ts";

const OPENS = 4;
const FSYNCS = 3;

interface OtlpAttribute { key: string; value: { stringValue?: string } }
interface OtlpPoint { attributes?: OtlpAttribute[]; asDouble?: number; asInt?: string | number; count?: string | number; sum?: number; bucketCounts?: (string | number)[]; explicitBounds?: number[] }
interface OtlpMetric { name: string; sum?: { dataPoints: OtlpPoint[]; isMonotonic?: boolean; aggregationTemporality?: number }; histogram?: { dataPoints: OtlpPoint[] }; gauge?: { dataPoints: OtlpPoint[] } }
interface OtlpPayload { resourceMetrics: { resource?: { attributes?: OtlpAttribute[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[] }

let dir: string;
let before: KernelObjects;
let receiver: Server<undefined>;
let exporter: RunningExporter;
let probeFile: string;
const payloads: { contentType: string | null; body: OtlpPayload }[] = [];

const attrs = (p: OtlpPoint) => Object.fromEntries((p.attributes ?? []).map((a) => [a.key, a.value.stringValue]));

/** The newest pushed point of metric `name` whose attributes include `want`. */
function lastPoint(name: string, want: Record<string, string>): { metric: OtlpMetric; point: OtlpPoint } | undefined {
  for (let i = payloads.length - 1; i >= 0; i--) {
    for (const rm of payloads[i].body.resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        for (const metric of sm.metrics) {
          if (metric.name !== name) continue;
          const points = metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.gauge?.dataPoints ?? [];
          const point = points.find((p) => Object.entries(want).every(([k, v]) => attrs(p)[k] === v));
          if (point) return { metric, point };
        }
      }
    }
  }
  return undefined;
}

async function waitFor<T>(get: () => T | undefined, accept: (v: T) => boolean, timeoutMs = 8000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let v = get();
  while ((v === undefined || !accept(v)) && Date.now() < deadline) {
    await Bun.sleep(100);
    v = get();
  }
  return v;
}

beforeAll(async () => {
  before = await kernelObjects();
  dir = mkdtempSync(join(tmpdir(), "ecli-otlp-"));
  receiver = Bun.serve({
    hostname: "127.0.0.1", port: 0,
    async fetch(req) {
      if (new URL(req.url).pathname !== "/v1/metrics") return new Response("no", { status: 404 });
      payloads.push({ contentType: req.headers.get("content-type"), body: (await req.json()) as OtlpPayload });
      return Response.json({});
    },
  });
  const opensnoop = await buildExample("opensnoop", ["opensnoop.bpf.c", "opensnoop.bpf.h"], dir);
  const latency = await buildExample("syscall-latency", ["syscall-latency.bpf.c"], dir);
  const config = join(dir, "config.yaml");
  writeFileSync(config, `
otlp:
  endpoint: http://127.0.0.1:${receiver.port}/v1/metrics
  interval_ms: 500
programs:
  - name: opens
    compiled_ebpf_filename: ${opensnoop}
    flags: { target_pid: ${process.pid} }
    metrics:
      counters:
        - name: ecli_test_opens_total
          help: opens by file
          labels: [{ name: file, from: fname }]
      histograms:
        - name: ecli_test_open_uid
          help: uid of the opener
          field: uid
          buckets: [0, 1000]
          labels: [{ name: file, from: fname }]
  - name: latency
    compiled_ebpf_filename: ${latency}
    flags: { target_pid: ${process.pid} }
    metrics:
      counters:
        - name: ecli_test_syscalls_total
          map: syscall_count
          labels: [{ name: syscall, size: 4, decoders: [{ name: uint }, { name: syscall }] }]
`);
  exporter = await RunningExporter.start(config, freePort());
  probeFile = join(dir, "probe");
  closeSync(openSync(probeFile, "w")); // creates it: one open
  for (let i = 1; i < OPENS; i++) closeSync(openSync(probeFile, "r"));
  const fd = openSync(probeFile, "r"); // the fifth open: OPENS + 1 in all
  for (let i = 0; i < FSYNCS; i++) fsyncSync(fd);
  closeSync(fd);
}, 60_000);

afterAll(async () => {
  exporter?.proc.kill("SIGKILL");
  receiver?.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

describe("ecli exporter pushes OTLP", () => {
  test("a counter from events arrives as a cumulative monotonic sum with its labels", async () => {
    const got = await waitFor(() => lastPoint("ecli_test_opens_total", { file: probeFile }), (p) => p.point.asDouble === OPENS + 1);
    expect(got?.point.asDouble).toBe(OPENS + 1);
    expect(got?.metric.sum?.isMonotonic).toBe(true);
    expect(got?.metric.sum?.aggregationTemporality).toBe(2); // CUMULATIVE
    expect(payloads[0].contentType).toContain("application/json");
    expect(sampleValue(await exporter.metrics(), "ecli_test_opens_total", { file: probeFile })).toBe(OPENS + 1);
  });

  test("a histogram from an event field arrives with per-bucket counts, sum and count", async () => {
    const got = await waitFor(() => lastPoint("ecli_test_open_uid", { file: probeFile }), (p) => Number(p.point.count) === OPENS + 1);
    expect(Number(got?.point.count)).toBe(OPENS + 1);
    expect(got?.point.sum).toBe(0); // root opened every time
    expect(got?.point.explicitBounds).toEqual([0, 1000]);
    expect(got?.point.bucketCounts?.map(Number)).toEqual([OPENS + 1, 0, 0]);
    const text = await exporter.metrics();
    expect(sampleValue(text, "ecli_test_open_uid_bucket", { le: "0", file: probeFile })).toBe(OPENS + 1);
    expect(sampleValue(text, "ecli_test_open_uid_count", { file: probeFile })).toBe(OPENS + 1);
  });

  test("a counter read from a map arrives too", async () => {
    const got = await waitFor(() => lastPoint("ecli_test_syscalls_total", { syscall: "fsync" }), (p) => p.point.asDouble === FSYNCS);
    expect(got?.point.asDouble).toBe(FSYNCS);
  });

  test("the resource names the service; SIGTERM exits 0 and leaves nothing loaded", async () => {
    const resource = payloads.at(-1)!.body.resourceMetrics[0].resource;
    expect(resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue).toBe("ecli-exporter");
    const { code } = await exporter.stop("SIGTERM");
    expect(code).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
