/** `ecli build prog.bpf.c [prog.bpf.h] [-o DIR] [--cflag F]... [--clang PATH] [-v]` (also `ecc`). */
import { build } from "@eunomia/compiler";
import { UsageError } from "../cli-error.ts";

const BUILD_USAGE = "usage: ecli build <prog.bpf.c> [prog.bpf.h] [-o DIR] [--cflag FLAG]... [--clang PATH] [-v]";

interface BuildArgs { source: string; header?: string; outDir?: string; cflags: string[]; clang?: string; verbose: boolean }

/** Parses the build command line. */
export function parseBuildArgs(argv: string[]): BuildArgs | "help" {
  const files: string[] = [];
  const args: BuildArgs = { source: "", cflags: [], verbose: false };
  const value = (i: number, name: string) => {
    const v = argv[i];
    if (v === undefined) throw new UsageError(`${name} needs a value (${BUILD_USAGE})`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return "help";
    else if (a === "-o" || a === "--output") args.outDir = value(++i, a);
    else if (a === "--cflag" || a === "--cflags") args.cflags.push(...value(++i, a).split(/\s+/).filter(Boolean));
    else if (a.startsWith("--cflag=") || a.startsWith("--cflags=")) args.cflags.push(...a.slice(a.indexOf("=") + 1).split(/\s+/).filter(Boolean));
    else if (a === "--clang") args.clang = value(++i, a);
    else if (a === "-v" || a === "--verbose") args.verbose = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (${BUILD_USAGE})`);
    else files.push(a);
  }
  if (files.length === 0) throw new UsageError(`no source file given (${BUILD_USAGE})`);
  if (files.length > 2) throw new UsageError(`too many files: ${files.join(" ")} (${BUILD_USAGE})`);
  [args.source, args.header] = files;
  return args;
}

/** Runs the build; returns the exit code. */
export async function buildCommand(argv: string[]): Promise<number> {
  const args = parseBuildArgs(argv);
  if (args === "help") {
    process.stdout.write(`${BUILD_USAGE}\n\nCompiles an eBPF program into package.json (its header's first struct is the event type).\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = await build({ ...args, log: args.verbose ? log : undefined });
  process.stderr.write(`ecli: wrote ${result.packagePath} (${result.sizes.json} bytes; object ${result.sizes.object} bytes)\n`);
  return 0;
}
