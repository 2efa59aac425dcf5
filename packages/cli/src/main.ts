#!/usr/bin/env bun
/**
 * ecli: the command-line entry point. Thin by design: it parses the command line,
 * calls the compiler or the loader, and turns every error into one line on stderr.
 * Invoked as `ecc`, it behaves as `ecli build`.
 */
import { basename } from "node:path";
import { describeError } from "./describe-error.ts";
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from "./cli-error.ts";
import { paintStderr } from "./colour.ts";
// Imported, not read at run time, so the compiled binary embeds it.
import cliPackage from "../package.json" with { type: "json" };

/** ecli's version: the cli package's. */
export const VERSION: string = cliPackage.version;

const USAGE = `usage: ecli <command> [options]

commands:
  run <package> [flags]     load a package, attach its programs, print its events (-h for the program's flags)
  build <prog.bpf.c> [h]    compile an eBPF program into package.json (also: ecc)
  convert <in> [-o out] [--to json|msgpack]
                            convert a package between its JSON and MessagePack forms
  push <package> <ref>      push a package to an OCI registry (ref: host[:port]/repository:tag)
  pull <ref> [-o FILE]      pull a package from an OCI registry, digests verified
  server [--listen H:P]     run packages sent over HTTP (an HTTP JSON API, docs/api.md)
  client <command> ...      start, list, stop, pause, resume, update tasks of a server; read their logs
  exporter -c CONFIG.yaml   serve packages' events and maps as Prometheus/OTLP metrics
  help                      print this help

options:
  -h, --help                print this help (ecli <command> --help: that command's)
  -V, --version             print ecli's version

exit codes: 0 success (also Ctrl-C, SIGTERM, a closed output pipe), 1 failure, 2 bad command line
`;

// Commands load on demand: `ecli run` never pays for the compiler's modules, nor `build` for libbpf's.
const buildCommand = async (argv: string[]) => (await import("./commands/build.ts")).buildCommand(argv);
const convertCommand = async (argv: string[]) => (await import("./commands/convert.ts")).convertCommand(argv);
const pushCommand = async (argv: string[]) => (await import("./commands/push.ts")).pushCommand(argv);
const pullCommand = async (argv: string[]) => (await import("./commands/pull.ts")).pullCommand(argv);
const serverCommand = async (argv: string[]) => (await import("./commands/server.ts")).serverCommand(argv);
const clientCommand = async (argv: string[]) => (await import("./commands/client.ts")).clientCommand(argv);
const exporterCommand = async (argv: string[]) => (await import("./commands/exporter.ts")).exporterCommand(argv);
const runCommand = async (argv: string[]) => (await import("./commands/run.ts")).runCommand(argv);

/** Dispatches a command line; returns the exit code. */
export async function main(argv: string[], invokedAs = "ecli"): Promise<number> {
  if (invokedAs === "ecc") return buildCommand(argv);
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return runCommand(rest);
    case "build":
      return buildCommand(rest);
    case "convert":
      return convertCommand(rest);
    case "server":
      return serverCommand(rest);
    case "client":
      return clientCommand(rest);
    case "push":
      return pushCommand(rest);
    case "pull":
      return pullCommand(rest);
    case "exporter":
      return exporterCommand(rest);
    case undefined:
    case "help":
    case "-h":
    case "--help":
      process.stdout.write(USAGE);
      return command === undefined ? EXIT_USAGE : 0;
    case "-V":
    case "--version":
      process.stdout.write(`ecli ${VERSION}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)} (ecli help lists them)`);
  }
}

/** Runs ecli as a process: the exit code is the command's, errors are one line on stderr. */
async function runAsProcess(): Promise<never> {
  const invokedAs = basename(process.argv0) === "ecc" || basename(process.execPath) === "ecc" ? "ecc" : "ecli";
  let code: number;
  try {
    code = await main(process.argv.slice(2), invokedAs);
  } catch (err) {
    if (err instanceof Error && err.name === "OutputClosedError") {
      code = 0; // the reader of our output went away (`ecli run -j ... | head`): a normal end
    } else {
      process.stderr.write(`${paintStderr(`${invokedAs}:`, "red")} ${describeError(err)}\n`);
      code = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
    }
  }
  process.exit(code);
}

// No top-level await: the binary is compiled to bytecode (--bytecode), which needs it so.
if (import.meta.main) void runAsProcess();
