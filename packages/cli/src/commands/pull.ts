/**
 * `ecli pull [options] <host[:port]/repo[:tag|@digest]> [-o FILE]`: fetches a package from
 * an OCI registry, every digest verified, and writes it exactly as pushed (JSON or
 * MessagePack form, or a WebAssembly module) to FILE or stdout.
 */
import { pullPackage } from "@eunomia/loader/oci";
import { UsageError } from "../cli-error.ts";
import { InputError } from "../read-input.ts";
import { REGISTRY_OPTIONS_USAGE, registryOptions, takeRegistryFlag, withRegistryErrors, type RegistryFlags } from "./registry-options.ts";

const PULL_USAGE = "usage: ecli pull [options] <host[:port]/repository[:tag|@digest]> [-o FILE]";

interface PullArgs { ref: string; out?: string; registry: RegistryFlags }

/** Parses the command line of `ecli pull`. */
export function parsePullArgs(argv: string[]): PullArgs | "help" {
  const registry: RegistryFlags = {};
  let out: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let taken: number;
    if (a === "-h" || a === "--help") return "help";
    if (a === "-o" || a === "--output") {
      if (argv[i + 1] === undefined) throw new UsageError(`-o needs a file name (${PULL_USAGE})`);
      out = argv[++i];
    } else if (a.startsWith("--output=")) out = a.slice(9);
    else if ((taken = takeRegistryFlag(argv, i, registry)) > 0) i += taken - 1;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (${PULL_USAGE})`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new UsageError(`pull takes one reference (${PULL_USAGE})`);
  return { ref: positional[0], registry, ...(out !== undefined && { out }) };
}

/** Runs the command; returns the exit code. */
export async function pullCommand(argv: string[]): Promise<number> {
  const args = parsePullArgs(argv);
  if (args === "help") {
    process.stdout.write(`${PULL_USAGE}\n\nFetches a package from an OCI registry (manifest and package digests verified) and writes it as pushed.\n\noptions:\n` +
      `  -o, --output FILE       write the package to FILE (default: stdout)\n${REGISTRY_OPTIONS_USAGE}  -h, --help              print this help\n`);
    return 0;
  }
  const opts = await registryOptions(args.registry);
  const pulled = await withRegistryErrors(() => pullPackage(args.ref, opts));
  if (args.out === undefined || args.out === "-") {
    if (pulled.form !== "json" && process.stdout.isTTY) {
      const what = pulled.form === "wasm" ? "the reference holds a WebAssembly module" : "the package is in MessagePack form";
      throw new UsageError(`${what} (binary): give -o FILE or redirect stdout`);
    }
    await Bun.write(Bun.stdout, pulled.bytes);
    return 0;
  }
  try {
    await Bun.write(args.out, pulled.bytes);
  } catch (err) {
    throw new InputError(`cannot write ${args.out}: ${(err as Error).message}`);
  }
  process.stderr.write(`ecli: pulled ${pulled.reference}@${pulled.digest} to ${args.out} (${pulled.form}, ${pulled.bytes.length} bytes)\n`);
  return 0;
}
