/**
 * The library call behind `ecli run app.wasm`: `runWasmModule` from @eunomia/loader, on
 * the real kernel. While the module waits for events it is suspended (JSPI), so this
 * test's own event loop keeps running: it starts the processes whose exec events the
 * module prints, counts timer ticks, and stops the module with an AbortSignal.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWasm } from "@eunomia/compiler";
import { runWasmModule } from "@eunomia/loader";
import { ROOT } from "./helpers/ecli.ts";
import { child } from "./helpers/bootstrap.ts";
import { kernelObjects, type KernelObjects } from "./helpers/kernel.ts";
import { wasmLeaks } from "./helpers/wasm-leaks.ts";

const PERF = join(ROOT, "examples/wasm-perf");
let out: string;
let module: Uint8Array;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-wasm-api-"));
  const r = await buildWasm({ app: join(PERF, "app.c"), source: join(PERF, "exec.bpf.c"), header: join(PERF, "exec.bpf.h"), outDir: out });
  module = await Bun.file(r.wasmPath).bytes();
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

test("the event loop runs while the module waits; an AbortSignal ends the run with exit 0", async () => {
  const stop = new AbortController();
  let printed = "";
  const warnings: string[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const attached: string[] = [];
  const run = runWasmModule(module, {
    args: ["app.wasm", String(process.pid)],
    stdout: (b) => (printed += new TextDecoder().decode(b)),
    warn: (line) => warnings.push(line),
    onAttach: (name) => attached.push(name),
    signal: stop.signal,
  });
  // Only possible because runWasmModule left the thread to us while the module polls.
  const deadline = Date.now() + 20_000;
  while (attached.length === 0 && Date.now() < deadline) await Bun.sleep(10);
  const pids = [await child(["/usr/bin/true"]), await child(["/bin/sh", "-c", "true"])];
  await Bun.sleep(300);
  stop.abort();
  const code = await run;
  clearInterval(timer);
  expect(code).toBe(0);
  expect(attached).toEqual(["on_exec"]);
  expect(printed).toBe(`exec pid=${pids[0]} ppid=${process.pid} comm=true\nexec pid=${pids[1]} ppid=${process.pid} comm=sh\n`);
  expect(warnings).toEqual([]);
  expect(ticks).toBeGreaterThan(10);
});

test("a bad module is a WasmError with one line, not a crash", async () => {
  const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0b]);
  await expect(runWasmModule(bytes)).rejects.toThrow(/^not a valid WebAssembly module: /);
});

test("leaves no program or map of ours in the kernel", async () => {
  expect(await wasmLeaks(before)).toEqual({ progs: [], maps: [] });
});
