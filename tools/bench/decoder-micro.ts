/**
 * Micro-benchmark of @eunomia/decoder on the bench event (tools/bench/bench.bpf.h): ns per
 * event of each way to turn a record into a JSON line, and of the output step, without the
 * kernel. Records are 4096 distinct events laid out 64 bytes apart as in the ring buffer,
 * each handed over as its own Uint8Array view (as RingBufferReader.drain does).
 *
 *   bun tools/bench/decoder-micro.ts [bench package.json | bench.bpf.o] [--json]
 *
 * Without a path it builds tools/bench/bench.bpf.c with dist/ecli (or $ECLI_BIN) into a
 * temporary directory. Prints a markdown table (or JSON with --json).
 */
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { $ } from "bun";
import { btfFromElf, createDecoder, createJsonFormatter, createJsonWriter, formatJson, parseElf, type Btf } from "@eunomia/decoder";
import { readPackage } from "@eunomia/loader/package";

const RECORDS = 4096;
const STRIDE = 64;
const RUNS = 7;
const PER_RUN = 200_000;
const ONE_BATCH = 200_000;
const BATCH = 1024;

/** One measured operation: the best of the runs (other processes only ever add time). */
export interface MicroResult { name: string; what: string; nsPerEvent: number; runs: number[] }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** 4096 events of the bench struct with varied, realistic values, one view each. */
export function benchRecords(): Uint8Array[] {
  const area = new Uint8Array(RECORDS * STRIDE);
  const dv = new DataView(area.buffer);
  const comms = ["gen", "bash", "systemd-journal", "kworker/1:2", "node", "sshd", "ecli", "python3"];
  const enc = new TextEncoder();
  const views: Uint8Array[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const o = i * STRIDE;
    const pid = 1000 + ((i * 7919) % 400000);
    dv.setInt32(o, pid, true);
    dv.setInt32(o + 4, pid + (i % 3), true);
    dv.setUint32(o + 8, i % 5 === 0 ? 1000 : 0, true);
    dv.setUint32(o + 12, i & 1, true);
    dv.setBigUint64(o + 16, BigInt(i) * 977n, true);
    dv.setBigUint64(o + 24, 2_736_129_772_447n + BigInt(i) * 65_537n, true);
    area.set(enc.encode(comms[i % comms.length]).subarray(0, 15), o + 32);
    dv.setUint32(o + 48, 0xffffffff, true);
    dv.setUint32(o + 52, i % 3, true);
    views.push(area.subarray(o, o + 56));
  }
  return views;
}

function measure(name: string, what: string, perRun: number, body: (n: number) => number): MicroResult {
  let sink = body(perRun); // warm up: let the JIT settle
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = Bun.nanoseconds();
    sink += body(perRun);
    runs.push((Bun.nanoseconds() - t0) / perRun);
  }
  if (sink === -1) console.log(sink);
  return { name, what, nsPerEvent: Math.min(...runs), runs };
}

async function loadBtf(path: string | undefined): Promise<{ btf: Btf; typeId: number; source: string }> {
  let source = path;
  let scratch: string | undefined;
  if (!source) {
    const root = resolve(dirname(import.meta.path), "../..");
    const ecli = process.env.ECLI_BIN ?? join(root, "dist/ecli");
    scratch = mkdtempSync(join(tmpdir(), "decoder-micro-"));
    await $`${ecli} build ${root}/tools/bench/bench.bpf.c ${root}/tools/bench/bench.bpf.h -o ${scratch}`.quiet();
    source = join(scratch, "bench.bpf.o");
  }
  try {
    const bytes = readFileSync(source);
    const object = source.endsWith(".json") ? readPackage(bytes).object : new Uint8Array(bytes);
    const btf = btfFromElf(parseElf(object));
    const event = btf.find("event", "struct");
    if (!event) throw new Error(`${source} has no struct event in its BTF`);
    return { btf, typeId: event.id, source: path ?? "tools/bench/bench.bpf.c built with ecli" };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs every measurement on the bench struct of `btf`. */
export function runMicro(btf: Btf, typeId: number): { results: MicroResult[]; buildUs: { decoder: number; formatter: number } } {
  const views = benchRecords();
  const mask = RECORDS - 1;
  let t0 = Bun.nanoseconds();
  const decode = createDecoder(btf, typeId);
  const decoderUs = (Bun.nanoseconds() - t0) / 1000;
  t0 = Bun.nanoseconds();
  const toJson = createJsonFormatter(btf, typeId);
  const formatterUs = (Bun.nanoseconds() - t0) / 1000;

  // Both paths must print the same line before their speed means anything.
  for (const v of views) {
    if (toJson(v) !== formatJson(decode(v))) throw new Error(`formatters disagree: ${toJson(v)} vs ${formatJson(decode(v))}`);
  }
  const devNull = openSync("/dev/null", "w");
  const results: MicroResult[] = [];
  try {
    results.push(measure("decode", "createDecoder(btf, id)(bytes): bytes to a JS object", PER_RUN, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (decode(views[i & mask]) as { pid: number }).pid;
      return s;
    }));
    results.push(measure("formatJson(decode)", "formatJson(decode(bytes)): what `ecli run -j` does per event", PER_RUN, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += formatJson(decode(views[i & mask])).length;
      return s;
    }));
    results.push(measure("createJsonFormatter", "createJsonFormatter(btf, id)(bytes): bytes straight to JSON text", PER_RUN, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += toJson(views[i & mask]).length;
      return s;
    }));
    const writeJson = createJsonWriter(btf, typeId);
    const lineBuf = new Uint8Array(1 << 16);
    const enc = new TextEncoder();
    for (const v of views) {
      const end = writeJson(v, 0, lineBuf, 0);
      if (Buffer.compare(lineBuf.subarray(0, end), enc.encode(`${toJson(v)}\n`)) !== 0) throw new Error(`createJsonWriter disagrees on ${toJson(v)}`);
    }
    results.push(measure("createJsonWriter", "createJsonWriter(btf, id)(bytes, 0, out, pos): bytes straight to a UTF-8 JSON line in a reused 64 KiB buffer", PER_RUN, (n) => {
      let pos = 0;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const end = writeJson(views[i & mask], 0, lineBuf, pos);
        if (end < 0) { s += pos; pos = writeJson(views[i & mask], 0, lineBuf, 0); } else pos = end;
      }
      return s + pos;
    }));
    results.push(measure("createJsonWriter + writeSync", "createJsonWriter into a 64 KiB buffer, each full buffer written with writeSync to /dev/null", PER_RUN, (n) => {
      let pos = 0;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const end = writeJson(views[i & mask], 0, lineBuf, pos);
        if (end >= 0) { pos = end; continue; }
        s += writeSync(devNull, lineBuf, 0, pos);
        pos = writeJson(views[i & mask], 0, lineBuf, 0);
      }
      return s + writeSync(devNull, lineBuf, 0, pos);
    }));
    results.push(measure("write, batches of 1024", "createJsonFormatter, lines joined per 1024 (which flattens the strings the formatter built by concatenation) and written with writeSync to /dev/null", PER_RUN, (n) => {
      let s = 0;
      let pending: string[] = [];
      for (let i = 0; i < n; i++) {
        pending.push(toJson(views[i & mask]));
        if (pending.length === BATCH || i === n - 1) {
          s += writeSync(devNull, pending.join("\n") + "\n");
          pending = [];
        }
      }
      return s;
    }));
    results.push(measure("write, one batch of 200k", "formatJson(decode), 200,000 lines kept, joined and written at once (as ecli does with one long drain)", ONE_BATCH, (n) => {
      const pending: string[] = [];
      for (let i = 0; i < n; i++) pending.push(formatJson(decode(views[i & mask])));
      return writeSync(devNull, pending.join("\n") + "\n");
    }));
  } finally {
    closeSync(devNull);
  }
  return { results, buildUs: { decoder: decoderUs, formatter: formatterUs } };
}

/** The results as a markdown table. */
export function microTable(results: MicroResult[], buildUs: { decoder: number; formatter: number }): string {
  const rows = results.map((r) => `| ${r.name} | ${r.nsPerEvent.toFixed(0)} | ${median(r.runs).toFixed(0)} | ${(1e3 / r.nsPerEvent).toFixed(2)} | ${r.what} |`);
  return [
    `| operation | ns/event (best of ${RUNS}) | median | M events/s (best) | what |`,
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    `Built once per run: createDecoder ${buildUs.decoder.toFixed(0)} µs, createJsonFormatter ${buildUs.formatter.toFixed(0)} µs.`,
  ].join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const path = args.find((a) => !a.startsWith("--"));
  try {
    const { btf, typeId, source } = await loadBtf(path);
    const { results, buildUs } = runMicro(btf, typeId);
    if (json) console.log(JSON.stringify({ source, bun: Bun.version, results, buildUs }));
    else console.log(`decoder micro-benchmark on struct event of ${source} (Bun ${Bun.version})\n\n${microTable(results, buildUs)}`);
  } catch (e) {
    process.stderr.write(`decoder-micro: ${path ?? "build"}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
    process.exitCode = 1;
  }
}
