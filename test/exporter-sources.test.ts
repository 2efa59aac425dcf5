/**
 * End to end: every way a program entry can name its package runs — an OCI reference
 * (pushed by `ecli push` to Debian's docker-registry, pulled by the exporter), inline
 * `ebpf_data` as package.json text, and inline base64 of the MessagePack form — and each
 * counts this process's opens of a file exactly; nothing is left loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ecli } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { freePort } from "./helpers/prometheus.ts";
import { Registry } from "./helpers/registry.ts";
import { buildExample, RunningExporter, sampleValue } from "./exporter-helpers.ts";

const OPENS = 3;
let dir: string;
let before: KernelObjects;
let registry: Registry;
let exporter: RunningExporter;
let probe: string;

const entry = (name: string, source: string) => `  - name: ${name}
    ${source}
    flags: { target_pid: ${process.pid} }
    metrics:
      counters:
        - name: ecli_${name}_opens_total
          labels: [{ name: file, from: fname }]
`;

beforeAll(async () => {
  before = await kernelObjects();
  dir = mkdtempSync(join(tmpdir(), "ecli-exporter-sources-"));
  const pkg = await buildExample("opensnoop", ["opensnoop.bpf.c", "opensnoop.bpf.h"], dir);
  registry = await Registry.start();
  const ref = `${registry.host}/eunomia/opensnoop:v1`;
  const pushed = await ecli(["push", pkg, ref]);
  if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr}`);
  const json = readFileSync(pkg, "utf8");
  const msgpack = readFileSync(join(dirname(pkg), "package.msgpack")).toString("base64");
  const config = join(dir, "config.yaml");
  writeFileSync(config, `programs:\n${entry("oci", `oci: ${ref}`)}${entry("inline_json", `ebpf_data: ${JSON.stringify(json)}`)}${entry("inline_msgpack", `ebpf_data: ${msgpack}`)}`);
  probe = join(dir, "probe");
  writeFileSync(probe, "x");
  exporter = await RunningExporter.start(config, freePort());
  for (let i = 0; i < OPENS; i++) closeSync(openSync(probe, "r"));
}, 60_000);

afterAll(async () => {
  exporter?.proc.kill("SIGKILL");
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("ecli exporter package sources", () => {
  test.each(["oci", "inline_json", "inline_msgpack"])("%s: the program runs and counts every open", async (name) => {
    let value: number | undefined;
    for (let i = 0; i < 50 && value !== OPENS; i++, await Bun.sleep(50)) value = sampleValue(await exporter.metrics(), `ecli_${name}_opens_total`, { file: probe });
    expect(value).toBe(OPENS);
  });

  test("exit 0 and nothing left loaded", async () => {
    expect((await exporter.stop("SIGINT")).code).toBe(0);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
