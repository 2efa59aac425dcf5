/**
 * `ecli convert <in> [-o out] [--to json|msgpack]`: converts a package between its JSON
 * and MessagePack forms, losslessly (a plain `.bpf.o` becomes a package too). The input
 * is validated first; its form is told by content. Without `-o` the result goes to stdout.
 */
import { jsonToMsgpack, packageToJson, readPackage, writePackageJson, writePackageMsgpack, type PackageJson } from "@eunomia/loader/package";
import { UsageError } from "../cli-error.ts";
import { packageForm, packageFromObject } from "../package-input.ts";
import { InputError, readInput } from "../read-input.ts";

const CONVERT_USAGE = "usage: ecli convert <package.json|package.msgpack|prog.bpf.o|URL|-> [-o OUT] [--to json|msgpack]";

interface ConvertOptions { source: string; out?: string; to?: "json" | "msgpack" }

/** Parses the command line of `ecli convert`. */
export function parseConvertArgs(argv: string[]): ConvertOptions | "help" {
  const opts: Partial<ConvertOptions> = {};
  const to = (v: string | undefined) => {
    if (v !== "json" && v !== "msgpack") throw new UsageError(`--to takes json or msgpack, not ${JSON.stringify(v ?? "")} (${CONVERT_USAGE})`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return "help";
    if (a === "-o" || a === "--output") {
      if (argv[i + 1] === undefined) throw new UsageError(`-o needs a file name (${CONVERT_USAGE})`);
      opts.out = argv[++i];
    } else if (a.startsWith("--output=")) opts.out = a.slice(9);
    else if (a === "--to") opts.to = to(argv[++i]);
    else if (a.startsWith("--to=")) opts.to = to(a.slice(5));
    else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a} (${CONVERT_USAGE})`);
    else if (opts.source !== undefined) throw new UsageError(`more than one input given (${CONVERT_USAGE})`);
    else opts.source = a;
  }
  if (opts.source === undefined) throw new UsageError(`no package given (${CONVERT_USAGE})`);
  return opts as ConvertOptions;
}

/** The JSON form of `bytes` (any form), exactly as stored when it already is one. */
async function jsonForm(bytes: Uint8Array, source: string): Promise<PackageJson> {
  switch (packageForm(bytes)) {
    case "msgpack":
      readPackage(bytes); // validate
      return packageToJson(bytes);
    case "elf": {
      const pkg = await packageFromObject(bytes, source);
      return writePackageJson(pkg.object, pkg.meta);
    }
    case "json":
      readPackage(bytes); // validate
      return JSON.parse(new TextDecoder().decode(bytes)) as PackageJson;
  }
}

/** Runs the command; returns the exit code. */
export async function convertCommand(argv: string[]): Promise<number> {
  const opts = parseConvertArgs(argv);
  if (opts === "help") {
    process.stdout.write(`${CONVERT_USAGE}\n\nConverts a package between the JSON and MessagePack forms (default: to the other form; a .bpf.o becomes JSON).\n\noptions:\n  -o, --output OUT     write the result to OUT (default: stdout)\n  --to json|msgpack    the form to write (default: the other form)\n  -h, --help           print this help\n`);
    return 0;
  }
  const bytes = await readInput(opts.source);
  const from = packageForm(bytes);
  const to = opts.to ?? (from === "json" ? "msgpack" : "json");
  const json = await jsonForm(bytes, opts.source);
  const output: Uint8Array | string = to === "json" ? JSON.stringify(json) : from === "json" ? jsonToMsgpack(json) : writePackageMsgpack(json);
  if (opts.out === undefined) {
    await Bun.write(Bun.stdout, output);
    return 0;
  }
  try {
    await Bun.write(opts.out, output);
  } catch (err) {
    throw new InputError(`cannot write ${opts.out}: ${(err as Error).message}`);
  }
  process.stderr.write(`ecli: wrote ${opts.out} (${to}, ${typeof output === "string" ? Buffer.byteLength(output) : output.length} bytes)\n`);
  return 0;
}
