/**
 * Per-event cost of the WebAssembly callback path against the native decoder, on the
 * same events: tools/bench/bench.bpf.c (one 56-byte event per lseek of the generator),
 * with a ring large enough to hold every event. The generator fills the ring first;
 * then each consumer drains it, timed from the first to the last event:
 *
 *   wasm, empty callback   ecli run bench.wasm: copy into the module's memory + call through its table
 *   wasm, snprintf line    the same, the callback formatting a text line (examples/wasm-bench/bench.c)
 *   native, decode         RingBufferReader.drainInPlace + the decoder's compiled reader (JS objects)
 *   native, JSON           RingBufferReader.drainInPlace + the JSON writer (`ecli run -j`'s path)
 *
 *   bun tools/bench/wasm-callback.ts [--events N] [--reps R] [--ecli PATH]   (as root)
 *
 * Prints a markdown table (median of R runs, ns per event).
 */
import { $ } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { btfFromElf, createDecoder, createJsonWriter, parseElf } from "@eunomia/decoder";
import { openObject, RingBufferReader } from "@eunomia/loader";
import { buildWasm } from "@eunomia/compiler";
import { compileC } from "./build.ts";

const BENCH_DIR = dirname(import.meta.path);
const ROOT = resolve(BENCH_DIR, "../..");
const RING_BYTES = 64 * 1024 * 1024;
const FILL_MS = 3000;

interface Options { events: number; reps: number; ecli: string[] }

function options(argv: string[]): Options {
  const o: Options = { events: 200_000, reps: 3, ecli: process.env.ECLI_BIN ? [process.env.ECLI_BIN] : [process.execPath, join(ROOT, "packages/cli/src/main.ts")] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--events") o.events = Number(argv[++i]);
    else if (argv[i] === "--reps") o.reps = Number(argv[++i]);
    else if (argv[i] === "--ecli") o.ecli = [argv[++i]];
    else throw new Error(`unknown option ${argv[i]} (usage: bun tools/bench/wasm-callback.ts [--events N] [--reps R] [--ecli PATH])`);
  }
  if (!(o.events > 0 && o.events * 64 < RING_BYTES)) throw new Error(`--events must be between 1 and ${RING_BYTES / 64 - 1}`);
  return o;
}

/** Starts the generator (it waits for SIGUSR1); resolves once its signal mask is set. */
async function startGenerator(genBin: string, events: number) {
  const gen = Bun.spawn([genBin, String(events)], { stdout: "pipe", stderr: "pipe" });
  const reader = gen.stderr.getReader();
  let text = "";
  while (!text.includes("gen: ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`generator ended early: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return gen;
}

/** Fills the ring with `events` events of a fresh generator, after `attached` resolves. */
async function fill(genBin: string, events: number, attach: (tgid: number) => Promise<void>): Promise<void> {
  const gen = await startGenerator(genBin, events);
  await attach(gen.pid);
  gen.kill("SIGUSR1");
  if ((await gen.exited) !== 0) throw new Error("generator failed");
}

/** ns per event of the module's callback path, as the module measured it. */
async function wasmRun(o: Options, wasm: string, genBin: string, mode: "empty" | "format"): Promise<number> {
  let ecli: ReturnType<typeof Bun.spawn> | undefined;
  let stdout: Promise<string> | undefined;
  await fill(genBin, o.events, async (tgid) => {
    const proc = Bun.spawn([...o.ecli, "run", wasm, String(tgid), String(o.events), String(FILL_MS), mode], { stdout: "pipe", stderr: "inherit" });
    ecli = proc;
    const reader = proc.stdout.getReader();
    let text = "";
    while (!text.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the module ended early: ${text}`);
      text += new TextDecoder().decode(value);
    }
    stdout = (async () => {
      let rest = text;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return rest;
        rest += new TextDecoder().decode(value);
      }
    })();
  });
  if ((await ecli!.exited) !== 0) throw new Error(`the module failed: ${await stdout}`);
  const m = /events=(\d+) ns=(\d+)/.exec(await stdout!);
  if (!m || Number(m[1]) !== o.events) throw new Error(`unexpected module output: ${await stdout}`);
  return Number(m[2]) / o.events;
}

/** ns per event of the native path: drain the ring, each record through `consume`. */
async function nativeRun(o: Options, objectBytes: Uint8Array, genBin: string, consume: (bytes: Uint8Array, offset: number) => void): Promise<number> {
  using obj = openObject(objectBytes, { name: "bench_bpf" });
  let reader: RingBufferReader | undefined;
  await fill(genBin, o.events, async (tgid) => {
    obj.writeSection(".rodata", 0, new Uint8Array(new Int32Array([tgid]).buffer));
    obj.load();
    obj.attachAll();
    reader = new RingBufferReader(obj.mapFd("events"));
  });
  using r = reader!;
  let n = 0;
  const t0 = Bun.nanoseconds();
  while (n < o.events) {
    const got = r.drainInPlace((bytes, offset) => consume(bytes, offset));
    if (got === 0) break;
    n += got;
  }
  const ns = Bun.nanoseconds() - t0;
  if (n !== o.events) throw new Error(`native drain got ${n} of ${o.events} events`);
  return ns / o.events;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const o = options(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), "wasm-bench-"));
  try {
    const genBin = await compileC(BENCH_DIR, "gen.c", join(work, "gen"));
    const built = await buildWasm({
      app: join(ROOT, "examples/wasm-bench/bench.c"),
      source: join(BENCH_DIR, "bench.bpf.c"),
      header: join(BENCH_DIR, "bench.bpf.h"),
      outDir: work,
      cflags: [`-DBENCH_RING_BYTES=${RING_BYTES}`],
    });
    const objectBytes = await Bun.file(built.objectPath).bytes();
    const btf = btfFromElf(parseElf(objectBytes));
    const typeId = btf.find("event", "struct")!.id;
    const decode = createDecoder(btf, typeId);
    const writeJson = createJsonWriter(btf, typeId);
    const jsonOut = new Uint8Array(1 << 16);
    let sink = 0;
    const rows: Array<[string, () => Promise<number>]> = [
      ["wasm module, empty callback (copy + call through the table)", () => wasmRun(o, built.wasmPath, genBin, "empty")],
      ["wasm module, callback formats a text line (snprintf)", () => wasmRun(o, built.wasmPath, genBin, "format")],
      ["native, decoder to a JS object (`ecli run` text path)", () => nativeRun(o, objectBytes, genBin, (b, off) => void (sink += (decode(b, off) as { pid: number }).pid))],
      ["native, JSON writer (`ecli run -j` path)", () => nativeRun(o, objectBytes, genBin, (b, off) => {
        sink += writeJson(b, off, jsonOut, 0);
      })],
    ];
    const results: Array<[string, number[]]> = [];
    for (const [label, run] of rows) {
      const times: number[] = [];
      for (let i = 0; i < o.reps; i++) times.push(await run());
      results.push([label, times]);
      process.stderr.write(`${label}: ${times.map((t) => t.toFixed(0)).join(", ")} ns/event\n`);
    }
    const load = (await $`cat /proc/loadavg`.quiet().text()).split(" ").slice(0, 3).join(" ");
    console.log(`${o.events} events of 56 bytes (64 in the ring), median of ${o.reps} runs; load average ${load}\n`);
    console.log("| consumer | ns per event | events per second |");
    console.log("| --- | ---: | ---: |");
    for (const [label, times] of results) {
      const ns = median(times);
      console.log(`| ${label} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString("en-US")} |`);
    }
    if (sink === -1) console.log(""); // keeps the consumers' work observable
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
