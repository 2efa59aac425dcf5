/**
 * End to end, bad input to `ecli exporter`: every bad config, flag or address is one line
 * on stderr naming where the problem is, and a non-zero exit; `--check` validates a good
 * config (and the packages it names) without loading anything.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { buildExample } from "./exporter-helpers.ts";

let dir: string;
let latency: string;
let opensnoop: string;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  dir = mkdtempSync(join(tmpdir(), "ecli-exporter-config-"));
  latency = await buildExample("syscall-latency", ["syscall-latency.bpf.c"], dir);
  opensnoop = await buildExample("opensnoop", ["opensnoop.bpf.c", "opensnoop.bpf.h"], dir);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes `yaml` to a file and runs `ecli exporter -c FILE ...extra`. */
async function exporterWith(yaml: string, extra: string[] = ["--check"]) {
  const file = join(dir, `config-${++n}.yaml`);
  writeFileSync(file, yaml);
  return { file, ...(await ecli(["exporter", "-c", file, ...extra])) };
}

const latencyCounter = (labels: string, extra = "") => `programs:
  - name: latency
    compiled_ebpf_filename: ${latency}${extra}
    metrics:
      counters:
        - name: calls_total
          map: syscall_latency
          labels:
${labels}`;

describe("ecli exporter --check", () => {
  test("a good config: ok, exit 0, nothing loaded", async () => {
    const { code, stdout, stderr, file } = await exporterWith(latencyCounter("            - { name: syscall, size: 4, decoders: [{ name: uint }, { name: syscall }] }\n            - { name: slot, size: 4, decoders: [{ name: uint }] }\n"));
    expect(stderr).toBe("");
    expect(stdout).toBe(`${file}: ok (1 programs, 1 metrics)\n`);
    expect(code).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });

  test.each([
    ["an unknown decoder", () => latencyCounter("            - name: syscall\n              size: 8\n              decoders:\n                - name: syscal\n"),
      /:12:17: unknown decoder "syscal" \(decoders: uint, string, hex, ksym, static_map, regexp, inet_ip, errno, syscall\)$/],
    ["label sizes that do not add up to the key size", () => latencyCounter("            - { name: syscall, size: 4, decoders: [{ name: uint }] }\n"),
      /:6:11: the labels of calls_total take 4 bytes \(syscall: 4\) but keys of map syscall_latency are 8 bytes$/],
    ["a map the program does not have", () => latencyCounter("            - { name: x, size: 8 }\n").replace("map: syscall_latency", "map: nope"),
      /:6:11: metric calls_total reads map "nope", which program latency does not have \(maps: start, syscall_latency, syscall_count\)$/],
    ["a missing program file", () => latencyCounter("            - { name: x, size: 8 }\n").replace(latency, "/nonexistent/package.json"),
      /^ecli: package: cannot read \/nonexistent\/package\.json \(ENOENT\)$/],
    ["no program source at all", () => "programs:\n  - name: p\n    metrics: {}\n",
      /:2:5: program "p" needs exactly one of compiled_ebpf_filename, ebpf_data or oci \(it has 0\)$/],
    ["an event field the event does not have", () => `programs:\n  - name: o\n    compiled_ebpf_filename: ${opensnoop}\n    metrics:\n      counters:\n        - name: opens_total\n          labels: [{ name: file, from: filename }]\n`,
      /:6:11: metric opens_total of program o reads event field "filename", which the event does not have \(fields: pid, uid, flags, comm, fname\)$/],
    ["a flag value out of range", () => latencyCounter("            - { name: x, size: 8 }\n", "\n    flags: { target_pid: 99999999999 }"),
      /target_pid/],
    ["a flag the program does not have", () => latencyCounter("            - { name: x, size: 8 }\n", "\n    flags: { nope: 1 }"),
      /nope.*no such global/],
    ["not YAML", () => "programs: [\n", /:2:1: /],
  ])("%s: one line, exit 1", async (_what, yaml, message) => {
    const { code, stdout, stderr } = await exporterWith(yaml());
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr).not.toContain("internal error");
    expect(code).toBe(1);
  });
});

describe("ecli exporter start-up failures", () => {
  test("an address in use: one line, exit 1, nothing left loaded", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    try {
      const { code, stderr } = await exporterWith(latencyCounter("            - { name: s, size: 4 }\n            - { name: b, size: 4 }\n"), ["--listen", `127.0.0.1:${busy.port}`]);
      expect(stderr.trimEnd()).toMatch(new RegExp(`^ecli: cannot listen on 127\\.0\\.0\\.1:${busy.port} \\(EADDRINUSE\\)$`));
      expect(code).toBe(1);
    } finally {
      busy.stop(true);
    }
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("a bad command line is exit 2", async () => {
    const { code, stderr } = await ecli(["exporter", "-c", "x.yaml", "--listen", "nope"]);
    expect(stderr.trimEnd()).toBe('ecli: --listen takes ADDR:PORT (e.g. 127.0.0.1:8526), not "nope"');
    expect(code).toBe(2);
  });
});
