/**
 * `ecli push [options] <package> <host[:port]/repo:tag>`: pushes a package to an OCI
 * registry as an artifact (see @eunomia/loader/oci). The package is any input `ecli run`
 * takes; a plain `.bpf.o` is pushed as the JSON package it describes, a WebAssembly
 * module (`app.wasm`) as a wasm layer. Prints the pushed reference with its digest on stdout.
 */
import { ANNOTATION_TITLE, parseReference, pushPackage } from "@eunomia/loader/oci";
import { writePackageJson } from "@eunomia/loader/package";
import { UsageError } from "../cli-error.ts";
import { packageForm, packageFromObject } from "../package-input.ts";
import { readInput } from "../read-input.ts";
import { REGISTRY_OPTIONS_USAGE, registryOptions, takeRegistryFlag, withRegistryErrors, type RegistryFlags } from "./registry-options.ts";

const PUSH_USAGE = "usage: ecli push [options] <package.json|package.msgpack|prog.bpf.o|app.wasm|URL|-> <host[:port]/repository:tag>";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const isWasm = (bytes: Uint8Array) => bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);

interface PushArgs { source: string; ref: string; registry: RegistryFlags; annotations: Record<string, string> }

/** Parses the command line of `ecli push`. */
export function parsePushArgs(argv: string[]): PushArgs | "help" {
  const registry: RegistryFlags = {};
  const annotations: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let taken: number;
    if (a === "-h" || a === "--help") return "help";
    if (a === "--annotation" || a === "-a") {
      const pair = argv[++i] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`${a} takes KEY=VALUE, not ${JSON.stringify(pair)}`);
      annotations[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if ((taken = takeRegistryFlag(argv, i, registry)) > 0) i += taken - 1;
    else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a} (${PUSH_USAGE})`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new UsageError(`push takes a package and a reference (${PUSH_USAGE})`);
  if (registry.passwordStdin && positional[0] === "-") throw new UsageError("--password-stdin and a package from stdin (-) cannot share it");
  return { source: positional[0], ref: positional[1], registry, annotations };
}

/** The bytes to push: the package or module as given, or the JSON package a plain object describes. */
async function packageBytes(source: string): Promise<Uint8Array> {
  const bytes = await readInput(source);
  if (packageForm(bytes) !== "elf") return bytes;
  const pkg = await packageFromObject(bytes, source);
  return new TextEncoder().encode(JSON.stringify(writePackageJson(pkg.object, pkg.meta)));
}

/** A module has no metadata to name it: its title is its file's name (a package's comes from its metadata). */
function moduleTitle(source: string, bytes: Uint8Array): Record<string, string> {
  const file = source.split("/").pop() ?? "";
  return isWasm(bytes) && /^[^/]+\.wasm$/.test(file) ? { [ANNOTATION_TITLE]: file } : {};
}

/** Runs the command; returns the exit code. */
export async function pushCommand(argv: string[]): Promise<number> {
  const args = parsePushArgs(argv);
  if (args === "help") {
    process.stdout.write(`${PUSH_USAGE}\n\nPushes a package or a WebAssembly module to an OCI registry; prints host/repository@digest.\n` +
      `Its name, version and description (from the doc comment) become the manifest's org.opencontainers.image.* annotations.\n\noptions:\n` +
      `  -a, --annotation KEY=VALUE\n                          add or replace a manifest annotation (repeatable)\n${REGISTRY_OPTIONS_USAGE}  -h, --help              print this help\n`);
    return 0;
  }
  const opts = await registryOptions(args.registry);
  const bytes = await packageBytes(args.source);
  const annotations = { ...moduleTitle(args.source, bytes), ...args.annotations };
  const result = await withRegistryErrors(() => pushPackage(args.ref, bytes, { ...opts, annotations }));
  const { registry, repository } = parseReference(result.reference);
  process.stderr.write(`ecli: pushed ${result.reference} (${result.form}, ${result.size} bytes)\n`);
  process.stdout.write(`${registry}/${repository}@${result.digest}\n`);
  return 0;
}
