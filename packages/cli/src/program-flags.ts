/**
 * Command-line flags made from a program's globals (`.rodata`/`.bss`/`.data` variables),
 * as the original ecli does: `--<cmdarg.long or name>` and `-<cmdarg.short>`, typed by
 * the variable's BTF type. Pure: parsing produces the bytes to write, the loader writes them.
 */
import { encodeValue, globalVariables, type Btf, type Elf } from "@eunomia/decoder";
import type { DataSectionVariable, PackageMeta } from "@eunomia/loader/package";
import { UsageError } from "./cli-error.ts";
import { LOST_COUNTER } from "@eunomia/loader";

/** One flag a program accepts. */
export interface ProgramFlag {
  variable: string;
  long: string;
  short?: string;
  help: string;
  /** C spelling from the package, e.g. "unsigned long long". */
  cType: string;
  /** Data section holding the variable (".rodata", ".bss", ".data"). */
  section: string;
  offset: number;
  typeId: number;
  isBool: boolean;
  /** Value from the package (`cmdarg.default` or `value`), applied when the flag is absent. */
  default?: string | number | boolean;
}

/** What to write into the object before load. */
export interface SectionWrite { section: string; offset: number; bytes: Uint8Array; variable: string }

const DUMMY_PREFIX = "__eunomia_dummy";

function isBoolType(btf: Btf, typeId: number): boolean {
  const t = btf.resolve(typeId);
  return t.kind === "int" && t.bool;
}

function dashed(name: string): string {
  return name.replaceAll("_", "-");
}

function packageDefault(v: DataSectionVariable): string | number | boolean | undefined {
  const d = v.cmdarg?.default ?? v.value;
  if (typeof d === "string" || typeof d === "number" || typeof d === "boolean") return d;
  return undefined;
}

/**
 * Lists the flags of a package whose object is `elf` with BTF `btf`. Variables the
 * object does not have are reported: a package whose metadata names them is inconsistent.
 * @throws UsageError when the metadata names a variable missing from the object.
 */
export function programFlags(meta: PackageMeta, elf: Elf, btf: Btf): ProgramFlag[] {
  const flags: ProgramFlag[] = [];
  const variables = globalVariables(elf, btf);
  for (const section of meta.bpf_skel.data_sections ?? []) {
    for (const variable of section.variables ?? []) {
      // Not flags: the export-type anchors and the lost-events counter the runtime reads.
      if (variable.name.startsWith(DUMMY_PREFIX) || variable.name === LOST_COUNTER) continue;
      const where = variables.find((v) => v.section === section.name && v.name === variable.name);
      if (!where) throw new UsageError(`package names variable ${variable.name} in ${section.name}, but the object has no such variable`);
      flags.push({
        variable: variable.name,
        long: variable.cmdarg?.long ?? dashed(variable.name),
        short: variable.cmdarg?.short,
        help: variable.cmdarg?.help ?? variable.description ?? `set ${variable.type} ${variable.name}`,
        cType: variable.type,
        section: section.name,
        offset: where.offset,
        typeId: where.typeId,
        isBool: isBoolType(btf, where.typeId),
        default: packageDefault(variable),
      });
    }
  }
  return flags;
}

/** Result of parsing a program's own arguments. */
export interface ParsedProgramArgs { writes: SectionWrite[]; help: boolean }

function findFlag(flags: ProgramFlag[], name: string): ProgramFlag | undefined {
  const canonical = dashed(name);
  return flags.find((f) => f.long === name || dashed(f.long) === canonical || dashed(f.variable) === canonical);
}

function unknownFlag(token: string, flags: ProgramFlag[]): UsageError {
  const valid = flags.map((f) => `--${f.long}`).join(", ") || "none";
  return new UsageError(`unknown flag ${token} for this program (its flags: ${valid}; -h for help)`);
}

function encodeFor(btf: Btf, flag: ProgramFlag, value: string | number | boolean): SectionWrite {
  try {
    return { section: flag.section, offset: flag.offset, variable: flag.variable, bytes: encodeValue(btf, flag.typeId, value) };
  } catch (err) {
    throw new UsageError(`--${flag.long}: ${(err as Error).message}`);
  }
}

function parseBool(flag: ProgramFlag, text: string): boolean {
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new UsageError(`--${flag.long} takes true or false, not ${JSON.stringify(text)}`);
}

/**
 * Parses the program's arguments (everything after the package on the command line).
 * @throws UsageError for an unknown flag, a missing value or a value out of range.
 */
export function parseProgramArgs(argv: string[], flags: ProgramFlag[], btf: Btf): ParsedProgramArgs {
  const values = new Map<ProgramFlag, string | number | boolean>();
  for (const flag of flags) if (flag.default !== undefined) values.set(flag, flag.default);
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "-h" || token === "--help") {
      help = true;
      continue;
    }
    let flag: ProgramFlag | undefined;
    let inline: string | undefined;
    let boolValue: boolean | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
      flag = findFlag(flags, name);
      if (!flag) {
        const negated = /^(enable|disable)[-_](.+)$/.exec(name);
        const target = negated ? findFlag(flags, negated[2]) : undefined;
        if (target?.isBool && inline === undefined) {
          flag = target;
          boolValue = negated![1] === "enable";
        }
      }
    } else if (/^-[^-]$/.test(token)) {
      flag = flags.find((f) => f.short === token[1]);
    }
    if (!flag) throw unknownFlag(token, flags);
    if (boolValue !== undefined) values.set(flag, boolValue);
    else if (flag.isBool) values.set(flag, inline === undefined ? true : parseBool(flag, inline));
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${flag.long} needs a value (${flag.cType})`);
      values.set(flag, value);
    }
  }
  const writes = [...values].map(([flag, value]) => encodeFor(btf, flag, value));
  return { writes, help };
}

/** The program's help: brief, details, version, then each flag. */
export function programHelp(meta: PackageMeta, flags: ProgramFlag[], invokedAs: string): string {
  const doc = meta.bpf_skel.doc;
  const lines: string[] = [];
  if (doc?.brief) lines.push(doc.brief);
  if (doc?.description) lines.push(doc.description);
  lines.push("", `Usage: ${invokedAs} [FLAGS]`);
  if (doc?.details) lines.push("", doc.details);
  lines.push("", "Flags:");
  const names = flags.map((f) => `${f.short ? `-${f.short}, ` : "    "}--${f.long}${f.isBool ? "" : ` <${f.cType}>`}`);
  const width = Math.max(20, ...names.map((n) => n.length));
  flags.forEach((f, i) => {
    const def = f.default !== undefined ? ` [default: ${f.default}]` : "";
    lines.push(`  ${names[i].padEnd(width)}  ${f.help.replace(/\s*\n\s*/g, " ")}${def}`);
  });
  lines.push(`  ${"-h, --help".padEnd(width)}  print this help`);
  if (doc?.version) lines.push("", `version ${doc.version}`);
  return lines.join("\n") + "\n";
}
