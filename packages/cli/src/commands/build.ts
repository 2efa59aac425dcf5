/**
 * `ecli build prog.bpf.c [prog.bpf.h] [-o DIR] [--cflag F]... [--clang PATH] [--header-only] [-v]` (also `ecc`),
 * and `ecli build --wasm app.c prog.bpf.c [prog.bpf.h]`: a WebAssembly module with the object embedded.
 */
import { build, buildWasm } from "@eunomia/compiler";
import { UsageError } from "../cli-error.ts";
import { paintStderr } from "../colour.ts";

const BUILD_USAGE = "usage: ecli build <prog.bpf.c> [prog.bpf.h] [-o DIR] [--cflag FLAG]... [--clang PATH] [--header-only] [-v]\n       ecli build --wasm <app.c> <prog.bpf.c> [prog.bpf.h] [-o DIR] [--cflag FLAG]... [--wasm-cflag FLAG]...";

const BUILD_HELP = `${BUILD_USAGE}

Compiles an eBPF program into package.json and prog.bpf.o. The optional header's first
struct is the event type sent to user space. Doc comments become metadata: /// text and
/// @cmdarg {...} on globals, /// @sample {...} on maps, /// @brief/@details/@version on LICENSE.

options:
  -o, --output DIR     where package.json and the object go (default: the source's directory)
  --cflag FLAG         extra clang flags, e.g. --cflag -I../include; repeatable, split at blanks
  --clang PATH         clang binary (default: $CLANG, then clang-19, then clang)
  --header-only        compile a header alone: a package whose export type is its first struct
  --wasm               build a WebAssembly module: app.c (user space, with the generated
                       <prog>.skel.h and eunomia-wasm.h) compiled for wasm32-wasi with the
                       eBPF object embedded; writes <app>.wasm (run it: ecli run app.wasm)
  --wasm-cflag FLAG    extra clang flags for the WebAssembly side; repeatable
  -v, --verbose        print every command line (clang, llvm-strip, bpftool) and clang's warnings
  -h, --help           print this help
`;

interface BuildArgs {
  source: string; header?: string; outDir?: string; cflags: string[]; clang?: string; headerOnly: boolean; verbose: boolean;
  /** --wasm: the user-space C source. */
  wasmApp?: string;
  wasmCflags?: string[];
}

/** Parses the build command line. */
export function parseBuildArgs(argv: string[]): BuildArgs | "help" {
  const files: string[] = [];
  const args: BuildArgs = { source: "", cflags: [], headerOnly: false, verbose: false };
  let wasm = false;
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
    else if (a === "--header-only") args.headerOnly = true;
    else if (a === "--wasm") wasm = true;
    else if (a === "--wasm-cflag") (args.wasmCflags ??= []).push(...value(++i, a).split(/\s+/).filter(Boolean));
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (${BUILD_USAGE})`);
    else files.push(a);
  }
  if (wasm) {
    if (args.headerOnly) throw new UsageError(`--wasm and --header-only do not go together (${BUILD_USAGE})`);
    if (files.length < 2) throw new UsageError(`--wasm takes app.c and prog.bpf.c (${BUILD_USAGE})`);
    if (files.length > 3) throw new UsageError(`too many files: ${files.join(" ")} (${BUILD_USAGE})`);
    args.wasmApp = files.shift();
  }
  if (files.length === 0) throw new UsageError(`no source file given (${BUILD_USAGE})`);
  if (args.headerOnly && files.length > 1) throw new UsageError(`--header-only takes one header: ${files.join(" ")} (${BUILD_USAGE})`);
  if (files.length > 2) throw new UsageError(`too many files: ${files.join(" ")} (${BUILD_USAGE})`);
  [args.source, args.header] = files;
  return args;
}

/** Runs the build; returns the exit code. */
export async function buildCommand(argv: string[]): Promise<number> {
  const args = parseBuildArgs(argv);
  if (args === "help") {
    process.stdout.write(BUILD_HELP);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (args.wasmApp !== undefined) {
    const r = await buildWasm({ ...args, app: args.wasmApp, log: args.verbose ? log : undefined });
    for (const warning of r.warnings) process.stderr.write(`ecli: ${paintStderr("warning:", "yellow")} ${warning}\n`);
    process.stderr.write(`ecli: wrote ${r.wasmPath} (${r.sizes.wasm} bytes; object ${r.sizes.object} bytes)\n`);
    return 0;
  }
  const result = await build({ ...args, log: args.verbose ? log : undefined });
  for (const warning of result.warnings) process.stderr.write(`ecli: ${paintStderr("warning:", "yellow")} ${warning}\n`);
  process.stderr.write(`ecli: wrote ${result.packagePath} (${result.sizes.json} bytes; object ${result.sizes.object} bytes)\n`);
  return 0;
}
