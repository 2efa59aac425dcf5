/**
 * `ecli run [-j] [-v] [--duration S] <package> [program flags]`: load a package, attach
 * every program, and print decoded events until Ctrl-C, SIGTERM or the duration ends.
 */
import { btfFromElf, createJsonWriter, parseElf, type Btf, type DecodedValue } from "@eunomia/decoder";
import { isWasmModule, openObject } from "@eunomia/loader";
import { attachOptions, ATTACH_FLAGS_USAGE, takeAttachFlag, type AttachFlags } from "../attach-flags.ts";
import { UsageError } from "../cli-error.ts";
import { EventOutput, type OutputMode } from "../event-output.ts";
import { exportPlan, type ExportTarget } from "../export-plan.ts";
import { JsonLineOutput, stdoutSink } from "../json-line-output.ts";
import { lostReport } from "../lost-events.ts";
import { parseProgramArgs, programFlags, programHelp } from "../program-flags.ts";
import { packageFromBytes } from "../package-input.ts";
import { readInput } from "../read-input.ts";
import { openRecordStream, type OnRecord, type RecordStream } from "../record-stream.ts";
import { startSampling } from "../sampled-maps.ts";
import { checkStackTraceFields, createStackTraceFormatter } from "../stack-trace.ts";
import { readTracePipe } from "../trace-pipe.ts";
import { paintStderr } from "../colour.ts";

const WAIT_SLICE_MS = 100;

interface RunOptions {
  mode: OutputMode;
  verbose: boolean;
  /** --printk: stream the kernel's trace pipe (bpf_printk output) to stdout while running. */
  printk?: boolean;
  durationMs?: number;
  source: string;
  programArgs: string[];
  /** --iface, --tc-attach, --uprobe-*, --pid, --freq, --cpus, ... (src/attach-flags.ts). */
  attach?: AttachFlags;
  /** --wasm-dir: the host directory a WebAssembly module may open files in. */
  wasmDir?: string;
}

const RUN_USAGE = "usage: ecli run [-j|--json] [-v|--verbose] [--duration SECONDS] [--printk] [attach options] [--wasm-dir DIR] <package.json|package.msgpack|prog.bpf.o|app.wasm|URL|REF|-> [program flags]";

const RUN_OPTIONS_USAGE = `  -j, --json              one JSON object per line instead of a text table
  -v, --verbose           say on stderr when programs are attached, what is sampled, lost-event counts
  --duration SECONDS      stop after SECONDS (a positive number) instead of waiting for Ctrl-C
  --printk                also print the kernel trace pipe (bpf_printk output) to stdout
                          (with -j as {"printk": "<line>"})
  --wasm-dir DIR          let a WebAssembly module (app.wasm) open files in DIR
  -h, --help              print this help (ecli run <package> -h: the program's own flags)
`;

function parseDuration(text: string | undefined): number {
  const seconds = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--duration takes a positive number of seconds, not ${JSON.stringify(text ?? "")}`);
  }
  return seconds * 1000;
}

function wasmDir(dir: string | undefined): string {
  if (dir === undefined || dir === "") throw new UsageError("--wasm-dir takes a directory");
  return dir;
}

/** Splits ecli's own options (before the package) from the program's (after it). */
export function parseRunArgs(argv: string[]): RunOptions | "help" {
  const opts: Partial<RunOptions> = { mode: "text", verbose: false };
  let i = 0;
  let taken = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-j" || a === "--json") opts.mode = "json";
    else if (a === "-v" || a === "--verbose") opts.verbose = true;
    else if (a === "--printk") opts.printk = true;
    else if (a === "--duration") opts.durationMs = parseDuration(argv[++i]);
    else if (a.startsWith("--duration=")) opts.durationMs = parseDuration(a.slice(11));
    else if (a === "--wasm-dir") opts.wasmDir = wasmDir(argv[++i]);
    else if (a === "-h" || a === "--help") return "help";
    else if (a.startsWith("--") && (taken = takeAttachFlag(argv, i, (opts.attach ??= {}))) > 0) i += taken - 1;
    else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a} before the package (${RUN_USAGE})`);
    else break;
  }
  if (i >= argv.length) throw new UsageError(`no package given (${RUN_USAGE})`);
  return { ...(opts as RunOptions), source: argv[i], programArgs: argv.slice(i + 1) };
}

function hexLine(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function log(verbose: boolean, message: string): void {
  if (verbose) process.stderr.write(`ecli: ${message}\n`);
}

/** Aborts on SIGINT/SIGTERM or when the duration passes. */
function stopSignal(durationMs?: number): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (durationMs !== undefined) setTimeout(stop, durationMs).unref?.();
  return controller.signal;
}

function hasInterpreter(target: ExportTarget): boolean {
  const i = target.interpreter;
  return i !== undefined && i !== "default_struct";
}

/** How a record becomes output (besides -j's fast path): a table row / JSON line, or an interpreter's text. */
function recordPrinter(target: ExportTarget, mode: OutputMode, output: EventOutput, btf: Btf, warn: (line: string) => void): (bytes: Uint8Array, offset: number) => void {
  const decode = target.decode!;
  const interpreter = target.interpreter;
  if (typeof interpreter === "object" && "stack_trace" in interpreter) {
    const st = interpreter.stack_trace;
    checkStackTraceFields(target.fields, st.field_map);
    const formatter = createStackTraceFormatter({ fieldMap: st.field_map, withSymbols: st.with_symbols ?? true, symbolizer: { onWarning: warn } });
    return (bytes, offset) => {
      const text = formatter.format(decode(bytes, offset) as Record<string, DecodedValue>, mode);
      if (text) output.addLine(text);
    };
  }
  return (bytes, offset) => output.add(decode(bytes, offset), output.now);
}

/** Records per batch: each batch is formatted and written before the next is read. */
const BATCH = 1024;

/** Reads, decodes and prints one export map until `stopped`. */
async function pump(stream: RecordStream, target: ExportTarget, mode: OutputMode, stopped: AbortSignal, btf: Btf, warn: (line: string) => void): Promise<number> {
  const output = new EventOutput(mode, target.fields);
  // The hot path of -j: JSON bytes written straight from the record into a reused buffer.
  const fast = mode === "json" && target.typeId !== undefined && !hasInterpreter(target);
  const lines = new JsonLineOutput(stdoutSink());
  // Variable-length events (libbpf-tools' execsnoop sends only the used part of its
  // struct) are decoded with the missing tail read as zeros, and counted.
  let short = 0;
  const padded = new Uint8Array(target.size);
  const whole = (print: (bytes: Uint8Array, offset: number) => void): OnRecord => (bytes, offset, length) => {
    if (length >= padded.length) return print(bytes, offset);
    short++;
    padded.fill(0);
    padded.set(bytes.subarray(offset, offset + length));
    print(padded, 0);
  };
  let onRecord: OnRecord;
  if (fast) {
    const write = createJsonWriter(btf, target.typeId!);
    onRecord = whole((bytes, offset) => lines.add(write, bytes, offset));
  } else if (!target.decode) {
    onRecord = (bytes, offset, length) => output.addLine(hexLine(bytes.subarray(offset, offset + length)));
  } else {
    onRecord = whole(recordPrinter(target, mode, output, btf, warn));
  }
  /** Drains in bounded batches, writing each before reading on. */
  const drainAll = async () => {
    for (;;) {
      output.now = new Date();
      const n = stream.drain(onRecord, BATCH);
      await output.flush();
      await lines.flush();
      if (n < BATCH) return;
    }
  };
  while (!stopped.aborted) {
    if (await stream.wait(WAIT_SLICE_MS)) await drainAll();
  }
  await drainAll();
  return short;
}

/** Runs the command; returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === "help") {
    process.stdout.write(`${RUN_USAGE}\n\nRuns a package until Ctrl-C. Program flags come from the package's globals: \`ecli run <package> -h\` lists them.\nREF is an OCI reference, host[:port]/repository[:tag|@digest], used when no file has that name.\nWhile running, SIGUSR1 prints the lost-event counts to stderr.\n\nOptions:\n${RUN_OPTIONS_USAGE}\nAttach options:\n${ATTACH_FLAGS_USAGE}\n`);
    return 0;
  }
  const stopped = stopSignal(parsed.durationMs);
  const input = await readInput(parsed.source);
  // A WebAssembly module (wasm-bpf) brings its own user space: src/wasm-run.ts runs it.
  if (isWasmModule(input)) return (await import("../wasm-run.ts")).runWasm(input, parsed, stopped);
  const pkg = await packageFromBytes(input, parsed.source);
  const elf = parseElf(pkg.object);
  const btf = btfFromElf(elf);
  const flags = programFlags(pkg.meta, elf, btf);
  const programArgs = parseProgramArgs(parsed.programArgs, flags, btf);
  if (programArgs.help) {
    process.stdout.write(programHelp(pkg.meta, flags, `ecli run ${parsed.source}`));
    return 0;
  }

  using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  for (const w of programArgs.writes) obj.writeSection(w.section, w.offset, w.bytes);
  const attachOpts = attachOptions(parsed.attach ?? {}, pkg.meta);
  obj.preferWorkingTwins((line) => process.stderr.write(`ecli: ${paintStderr("notice:", "yellow")} ${line}\n`));
  obj.load();
  const warn = (line: string) => process.stderr.write(`ecli: ${paintStderr("warning:", "yellow")} ${line}\n`);
  const targets = exportPlan(pkg.meta, obj.maps(), btf, warn).filter((t) => t.source !== "sample");
  // Readers first: a perf event array drops every sample sent before its buffers exist.
  using streams = new DisposableStack();
  const opened = targets.map((t) => ({ target: t, stream: streams.use(openRecordStream(obj, t, elf, btf)) }));
  const attached = obj.attachAll(attachOpts);
  // Tools wait for this exact line ("N programs attached"), so its wording stays fixed.
  log(parsed.verbose, `${attached.length} programs attached ${performance.now().toFixed(1)} ms after start`);
  // Maps with a `sample` config print every interval (in order, through one write chain).
  let sampledOutput = Promise.resolve();
  const writeSampled = (text: string) => {
    sampledOutput = sampledOutput.then(async () => void (await Bun.write(Bun.stdout, text)));
  };
  // bpf_printk lines share the sampled maps' write chain; the reader stops before the object closes.
  // With -j each line becomes {"printk": "<the trace pipe's line>"}, so stdout stays JSON lines.
  const printkLine = parsed.mode === "json" ? (line: string) => `${JSON.stringify({ printk: line })}\n` : (line: string) => `${line}\n`;
  using printk = parsed.printk ? readTracePipe((line) => writeSampled(printkLine(line))) : undefined;
  using sampling = startSampling({ obj, btf, meta: pkg.meta, mode: parsed.mode, write: writeSampled });
  if (sampling.maps.length > 0) log(parsed.verbose, `sampling maps ${sampling.maps.join(", ")}`);
  // A pending timer keeps Bun's event loop asleep; waiting on signal handlers alone spins a core.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const lostCounts = () => opened.flatMap(({ target, stream }) => {
    const lost = stream.lost();
    return lost === undefined ? [] : [{ source: target.map, lost }];
  });
  const onUsr1 = () => process.stderr.write(`ecli: ${lostReport(lostCounts())}\n`);
  process.on("SIGUSR1", onUsr1);
  try {
    if (opened.length === 0) {
      log(parsed.verbose, "the package exports no events: running until stopped");
      await new Promise((resolve) => stopped.addEventListener("abort", resolve, { once: true }));
    }
    const short = await Promise.all(opened.map(({ target, stream }) => pump(stream, target, parsed.mode, stopped, btf, warn)));
    short.forEach((n, i) => {
      if (n > 0) log(parsed.verbose, `${n} events from ${opened[i].target.map} were shorter than their type: their missing bytes were read as zeros`);
    });
    const counts = lostCounts();
    if (counts.some((c) => c.lost > 0n) || (parsed.verbose && counts.length > 0)) process.stderr.write(`ecli: ${lostReport(counts)}\n`);
  } finally {
    process.off("SIGUSR1", onUsr1);
    clearInterval(keepAlive);
    sampling.stop(); // the last reading, before the object is closed
    printk?.close();
    await sampledOutput;
  }
  return 0;
}
