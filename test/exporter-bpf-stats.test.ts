/**
 * End to end: with the kernel's BPF stats on (`kernel.bpf_stats_enabled=1`, restored
 * afterwards), /metrics carries each BPF program's run count and run time, read through
 * bpf_obj_get_info_by_fd and agreeing with bpftool; with them off, no such series.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "bun";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { freePort } from "./helpers/prometheus.ts";
import { buildExample, RunningExporter, sampleValue } from "./exporter-helpers.ts";

const STATS = "/proc/sys/kernel/bpf_stats_enabled";
let dir: string;
let before: KernelObjects;
let exporter: RunningExporter;
let previous: string;

beforeAll(async () => {
  before = await kernelObjects();
  previous = readFileSync(STATS, "utf8").trim();
  dir = mkdtempSync(join(tmpdir(), "ecli-bpf-stats-"));
  const pkg = await buildExample("syscall-latency", ["syscall-latency.bpf.c"], dir);
  const config = join(dir, "config.yaml");
  writeFileSync(config, `programs:\n  - name: latency\n    compiled_ebpf_filename: ${pkg}\n`);
  exporter = await RunningExporter.start(config, freePort());
}, 60_000);

afterAll(() => {
  writeFileSync(STATS, previous);
  exporter?.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("BPF program run stats", () => {
  test("off: no run-count series", async () => {
    writeFileSync(STATS, "0");
    expect(await exporter.metrics()).not.toContain("ecli_exporter_bpf_program_run_count_total{");
  });

  test("on: run count and run time per BPF program, as bpftool reports them", async () => {
    writeFileSync(STATS, "1");
    await Bun.sleep(300); // every process's syscalls run both programs meanwhile
    const text = await exporter.metrics();
    const kernel = JSON.parse(await $`bpftool -j prog show`.text()) as { name: string; run_cnt?: number }[];
    writeFileSync(STATS, previous);
    for (const prog of ["handle_enter", "handle_exit"]) {
      const count = sampleValue(text, "ecli_exporter_bpf_program_run_count_total", { program: "latency", bpf_program: prog });
      const seconds = sampleValue(text, "ecli_exporter_bpf_program_run_seconds_total", { program: "latency", bpf_program: prog });
      expect(count).toBeGreaterThan(0);
      expect(seconds).toBeGreaterThan(0);
      // bpftool read a moment later: at least as many runs, and ours is among its programs.
      const later = kernel.filter((p) => p.name === prog).map((p) => p.run_cnt ?? 0);
      expect(later.some((n) => n >= count!)).toBe(true);
    }
  });

  test("exit 0 and nothing left loaded", async () => {
    expect((await exporter.stop("SIGINT")).code).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
