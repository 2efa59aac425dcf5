/**
 * End to end on the real kernel: `ecli build` compiles examples/kv, whose `/// @sample`
 * doc comment makes its hash map a sampled `default_kv` map; `ecli run` loads it with
 * --target-pid set to this process, this process writes known sizes to /dev/null, and the
 * rows printed for that descriptor must hold exactly those writes, in the text table and
 * as JSON lines; everything is released afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = join(ROOT, "examples/kv/kv.bpf.c");
const SIZES = [1, 20, 300, 4000, 50000];
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
let out: string;
let pkg: string;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-kv-"));
  const built = await ecli(["build", SOURCE, "-o", out]);
  expect(built.stderr).toContain("package.json");
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the package for this process, makes the writes, waits past one interval, stops. */
async function runAndWrite(extra: string[]): Promise<{ stdout: string; fd: number }> {
  const running = await RunningEcli.start([...extra, pkg, "--target-pid", String(process.pid)]);
  const fd = openSync("/dev/null", "w");
  try {
    for (const n of SIZES) expect(writeSync(fd, new Uint8Array(n))).toBe(n);
  } finally {
    closeSync(fd);
  }
  await Bun.sleep(700); // at least one 500 ms interval
  const { code, stdout, stderr } = await running.stop("SIGINT");
  expect(stderr).not.toContain("error");
  expect(code).toBe(0);
  return { stdout, fd };
}

describe("ecli build examples/kv", () => {
  test("the @sample doc comment makes the map a default_kv sampled map", async () => {
    const json = await Bun.file(pkg).json();
    expect(json.meta.bpf_skel.maps[0]).toEqual({ name: "writes", ident: "writes", sample: { interval: 500, type: "default_kv" } });
    expect(json.meta.bpf_skel.progs).toEqual([{ name: "handle_write", attach: "tp/syscalls/sys_enter_write", link: true }]);
  });
});

describe("ecli run examples/kv", () => {
  test("text: a header once, then rows whose key is the descriptor and value the writes made", async () => {
    const { stdout, fd } = await runAndWrite([]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("TIME     PID    FD     WRITES BYTES");
    expect(lines.filter((l) => l.startsWith("TIME")).length).toBe(1);
    const pad = (v: number) => String(v).padEnd(6);
    const ours = lines.slice(1).filter((l) => l.slice(9).startsWith(`${pad(process.pid)} ${pad(fd)} `));
    expect(ours.length).toBeGreaterThanOrEqual(2); // one interval, and the last reading at Ctrl-C
    for (const row of ours) expect(row).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${pad(process.pid)} ${pad(fd)} ${pad(SIZES.length)} ${TOTAL}$`));
    // Every row is some descriptor of this process (the --target-pid filter works).
    for (const row of lines.slice(1)) expect(row.slice(9).startsWith(`${pad(process.pid)} `)).toBe(true);
  });

  test("json: one line per entry with map, key and value; then nothing of ours is left in the kernel", async () => {
    const { stdout, fd } = await runAndWrite(["-j"]);
    const entries = stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    const ours = entries.filter((e) => e.key.fd === fd);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const e of ours) expect(e).toEqual({ map: "writes", key: { pid: process.pid, fd }, value: { writes: SIZES.length, bytes: TOTAL } });
    expect(entries.every((e) => e.key.pid === process.pid)).toBe(true);
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
