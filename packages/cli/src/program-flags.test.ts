import { beforeAll, describe, expect, test } from "bun:test";
import { parseElf, type Btf, type Elf } from "@eunomia/decoder";
import type { Package } from "@eunomia/loader/package";
import { buildFixture } from "../fixtures/build-fixture.ts";
import { UsageError } from "./cli-error.ts";
import { parseProgramArgs, programFlags, programHelp, type ProgramFlag } from "./program-flags.ts";

let pkg: Package;
let btf: Btf;
let elf: Elf;
let flags: ProgramFlag[];

beforeAll(async () => {
  ({ pkg, btf } = await buildFixture("flags"));
  elf = parseElf(pkg.object);
  flags = programFlags(pkg.meta, elf, btf);
});

/** The bytes written for each variable by these arguments. */
function written(argv: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of parseProgramArgs(argv, flags, btf).writes) out[w.variable] = [...w.bytes];
  return out;
}

const le = (value: bigint, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));

describe("programFlags", () => {
  test("one flag per global, dashed names, cmdarg long/short, doc comments as help", () => {
    expect(flags.map((f) => [f.long, f.short, f.cType, f.isBool])).toEqual([
      ["pid", "p", "int", false],
      ["failed", "x", "bool", true],
      ["verbose", undefined, "bool", true],
      ["limit", undefined, "unsigned int", false],
      ["min-ns", undefined, "unsigned long long", false],
      ["small", undefined, "short", false],
      ["ratio", undefined, "double", false],
      ["comm", undefined, "char[8]", false],
      ["counter", undefined, "unsigned long long", false],
    ]);
    expect(flags[0].help).toBe("Only this process");
    expect(flags[1].default).toBe(true);
  });
});

describe("parseProgramArgs", () => {
  test("integers of every width at their limits, by long and short names, = and space forms", () => {
    expect(written(["-p", "-2147483648", "--limit=4294967295", "--min-ns", "0xffffffffffffffff", "--small", "-32768"])).toMatchObject({
      target_pid: le(-2147483648n & 0xffffffffn, 4),
      limit: [255, 255, 255, 255],
      min_ns: le(2n ** 64n - 1n, 8),
      small: [0x00, 0x80],
    });
  });

  test("out-of-range and malformed values are usage errors naming the flag", () => {
    for (const argv of [["--limit", "4294967296"], ["--limit", "-1"], ["--small", "32768"], ["--min-ns", "18446744073709551616"], ["--pid", "12abc"]]) {
      expect(() => written(argv)).toThrow(UsageError);
      expect(() => written(argv)).toThrow(new RegExp(`--${argv[0].slice(2)}`));
    }
  });

  test("doubles are written little-endian; char[N] strings are NUL-padded and length-checked", () => {
    const ratio = new Uint8Array(new Float64Array([2.25]).buffer);
    expect(written(["--ratio", "2.25", "--comm", "bash"])).toMatchObject({ ratio: [...ratio], comm: [98, 97, 115, 104, 0, 0, 0, 0] });
    expect(() => written(["--comm", "12345678"])).toThrow(/--comm/);
  });

  test("bools: --x, --enable-x, --disable-x, --x=false; a package default applies when absent", () => {
    expect(written([])).toMatchObject({ failed: [1] });
    expect(written(["--disable-failed"])).toMatchObject({ failed: [0] });
    expect(written(["--verbose"])).toMatchObject({ verbose: [1] });
    expect(written(["--enable-verbose", "--verbose=false"])).toMatchObject({ verbose: [0] });
    expect(written(["-x"])).toMatchObject({ failed: [1] });
    expect(() => written(["--verbose=maybe"])).toThrow(/--verbose takes true or false/);
  });

  test("underscored names work as well as dashed ones", () => {
    expect(written(["--min_ns", "5"])).toMatchObject({ min_ns: le(5n, 8) });
  });

  test("unknown flags list the valid ones; a missing value is named", () => {
    expect(() => written(["--nope"])).toThrow("unknown flag --nope for this program (its flags: --pid, --failed, --verbose, --limit, --min-ns, --small, --ratio, --comm, --counter; -h for help)");
    expect(() => written(["--limit"])).toThrow("--limit needs a value (unsigned int)");
  });

  test("-h asks for help and writes nothing else", () => {
    expect(parseProgramArgs(["-h"], flags, btf).help).toBe(true);
  });
});

describe("programHelp", () => {
  test("lists each flag with its type, help and default", () => {
    const text = programHelp(pkg.meta, flags, "ecli run flags.json");
    expect(text).toContain("Usage: ecli run flags.json [FLAGS]");
    expect(text).toMatch(/-p, --pid <int>\s+Only this process\n/);
    expect(text).toMatch(/-x, --failed\s+Report failures only \[default: true\]\n/);
    expect(text).toContain("-h, --help");
  });
});
