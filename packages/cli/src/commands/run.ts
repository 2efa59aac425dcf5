/**
 * `ecli run [-j] [-v] [--duration S] <package> [program flags]`: load a package, attach
 * every program, and print decoded events until Ctrl-C, SIGTERM or the duration ends.
 */
import { btfFromElf, createDecoder, parseElf } from "@eunomia/decoder";
import { openObject, readPackage, RingBufferReader } from "@eunomia/loader";
import { UsageError } from "../cli-error.ts";
import { EventOutput, type OutputMode } from "../event-output.ts";
import { exportStruct } from "../export-type.ts";
import { parseProgramArgs, programFlags, programHelp } from "../program-flags.ts";
import { readInput } from "../read-input.ts";

const BPF_MAP_TYPE_RINGBUF = 27;
const WAIT_SLICE_MS = 100;

interface RunOptions {
  mode: OutputMode;
  verbose: boolean;
  durationMs?: number;
  source: string;
  programArgs: string[];
}

const RUN_USAGE = "usage: ecli run [-j|--json] [-v|--verbose] [--duration SECONDS] <package.json|URL|-> [program flags]";

function parseDuration(text: string | undefined): number {
  const seconds = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--duration takes a positive number of seconds, not ${JSON.stringify(text ?? "")}`);
  }
  return seconds * 1000;
}

/** Splits ecli's own options (before the package) from the program's (after it). */
export function parseRunArgs(argv: string[]): RunOptions | "help" {
  const opts: Partial<RunOptions> = { mode: "text", verbose: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-j" || a === "--json") opts.mode = "json";
    else if (a === "-v" || a === "--verbose") opts.verbose = true;
    else if (a === "--duration") opts.durationMs = parseDuration(argv[++i]);
    else if (a.startsWith("--duration=")) opts.durationMs = parseDuration(a.slice(11));
    else if (a === "-h" || a === "--help") return "help";
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

/** Resolves when SIGINT/SIGTERM arrives or the duration passes. */
function stopSignal(durationMs?: number): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (durationMs !== undefined) setTimeout(stop, durationMs).unref?.();
  return controller.signal;
}

/** Runs the command; returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === "help") {
    process.stdout.write(`${RUN_USAGE}\n\nRuns a package until Ctrl-C. Program flags come from the package's globals: \`ecli run <package> -h\` lists them.\n`);
    return 0;
  }
  const stopped = stopSignal(parsed.durationMs);
  const pkg = readPackage(await readInput(parsed.source));
  const elf = parseElf(pkg.object);
  const btf = btfFromElf(elf);
  const flags = programFlags(pkg.meta, elf, btf);
  const programArgs = parseProgramArgs(parsed.programArgs, flags, btf);
  if (programArgs.help) {
    process.stdout.write(programHelp(pkg.meta, flags, `ecli run ${parsed.source}`));
    return 0;
  }
  const exported = exportStruct(pkg.meta, btf);

  using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  for (const w of programArgs.writes) obj.writeSection(w.section, w.offset, w.bytes);
  obj.load();
  obj.attachAll();
  log(parsed.verbose, `${obj.programs().length} programs attached ${performance.now().toFixed(1)} ms after start`);

  const ringMap = obj.maps().find((m) => m.type === BPF_MAP_TYPE_RINGBUF);
  if (!ringMap) {
    log(parsed.verbose, "the package has no ring buffer: running until stopped");
    // A pending timer keeps Bun's event loop asleep; waiting on signal handlers alone spins a core.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await new Promise((resolve) => stopped.addEventListener("abort", resolve, { once: true }));
    clearInterval(keepAlive);
    return 0;
  }
  using ring = new RingBufferReader(obj.mapFd(ringMap.name));
  const output = new EventOutput(parsed.mode, exported?.fields ?? []);
  const decode = exported ? createDecoder(btf, exported.typeId) : undefined;
  let now = new Date();
  let undecodable = 0;
  const onRecord = (data: Uint8Array) => {
    if (!decode) return output.addLine(hexLine(data));
    if (data.length < exported!.size) return void undecodable++;
    output.add(decode(data), now);
  };
  const drain = () => {
    now = new Date();
    ring.drain(onRecord);
  };
  while (!stopped.aborted) {
    if (await ring.wait(WAIT_SLICE_MS)) drain();
    await output.flush();
  }
  drain();
  await output.flush();
  if (undecodable > 0) process.stderr.write(`ecli: ${undecodable} events were shorter than struct ${exported!.name} and were not decoded\n`);
  return 0;
}
