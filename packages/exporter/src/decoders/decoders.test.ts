import { afterAll, describe, expect, test } from "bun:test";
import { parseKallsyms } from "@eunomia/decoder";
import { setKernelSymbols } from "./ksym.ts";
import { DecoderConfigError } from "./label-decoder.ts";
import { compileChain, type DecoderSpec } from "./registry.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => new Uint8Array(b);
const le64 = (n: bigint) => new Uint8Array(new BigUint64Array([n]).buffer);

/** Runs a chain and returns its text, or null when the series is dropped. */
function run(specs: DecoderSpec[], input: Uint8Array): string | null {
  const out = compileChain(specs)(input);
  return out === null ? null : new TextDecoder().decode(out);
}
const one = (name: string, options: Record<string, unknown> = {}): DecoderSpec[] => [{ name, options }];
const afterUint = (name: string, options: Record<string, unknown> = {}): DecoderSpec[] => [{ name: "uint", options: {} }, { name, options }];

type Row = [what: string, input: Uint8Array, expected: string | null];

const cases: Record<string, { chain: DecoderSpec[]; rows: Row[] }> = {
  uint: {
    chain: one("uint"),
    rows: [
      ["one byte", bytes(200), "200"],
      ["u16 little-endian", bytes(0x34, 0x12), "4660"],
      ["u32", bytes(0xff, 0xff, 0xff, 0xff), "4294967295"],
      ["u64 max, exact", le64(0xffff_ffff_ffff_ffffn), "18446744073709551615"],
      ["zero", bytes(0, 0, 0, 0), "0"],
    ],
  },
  string: {
    chain: one("string"),
    rows: [
      ["up to the NUL", enc("bash\0\0garbage"), "bash"],
      ["no NUL", enc("abc"), "abc"],
      ["empty", bytes(0, 0), ""],
    ],
  },
  hex: {
    chain: one("hex"),
    rows: [
      ["memory order, padded", bytes(0x0a, 0xff, 0x00), "0aff00"],
      ["empty", bytes(), ""],
    ],
  },
  ksym: {
    chain: one("ksym"),
    rows: [
      ["exact symbol", le64(0xffffffff81001000n), "helper"],
      ["inside a function", le64(0xffffffff81001010n), "helper"],
      ["below every symbol", le64(0x10n), "0x10"],
    ],
  },
  static_map: {
    chain: afterUint("static_map", { static_map: { 1: "read", 2: "write" } }),
    rows: [
      ["mapped", bytes(1), "read"],
      ["mapped too", bytes(2), "write"],
      ["missing", bytes(3), "unknown"],
    ],
  },
  "static_map allow_unknown": {
    chain: afterUint("static_map", { static_map: { 1: "read" }, allow_unknown: true }),
    rows: [["missing stays", bytes(7), "7"]],
  },
  regexp: {
    chain: [{ name: "string", options: {} }, { name: "regexp", options: { regexps: ["^sshd$", "^bash"] } }],
    rows: [
      ["first pattern", enc("sshd\0"), "sshd"],
      ["second pattern", enc("bash-5\0"), "bash-5"],
      ["no match drops the series", enc("sshd-x\0"), null],
    ],
  },
  inet_ip: {
    chain: one("inet_ip"),
    rows: [
      ["IPv4", bytes(127, 0, 0, 1), "127.0.0.1"],
      ["IPv6 loopback", bytes(...new Array(15).fill(0), 1), "::1"],
      ["IPv6 documentation prefix", bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), "2001:db8::1"],
      ["IPv6 no zero run", bytes(0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8), "1:2:3:4:5:6:7:8"],
      ["IPv6 single zero not collapsed", bytes(0, 1, 0, 0, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8), "1:0:3:4:5:6:7:8"],
    ],
  },
  errno: {
    chain: afterUint("errno"),
    rows: [
      ["ENOENT", bytes(2, 0, 0, 0), "ENOENT"],
      ["EACCES", bytes(13, 0, 0, 0), "EACCES"],
    ],
  },
  syscall: {
    chain: afterUint("syscall"),
    rows: [
      ["read", bytes(0, 0, 0, 0), "read"],
      ["openat", bytes(257 & 0xff, 257 >> 8, 0, 0), "openat"],
      ["exit_group", bytes(231, 0, 0, 0), "exit_group"],
      ["unknown number", bytes(0xff, 0x7f, 0, 0), "unknown_syscall_32767"],
    ],
  },
};

setKernelSymbols(parseKallsyms("ffffffff81000000 T _stext\nffffffff81001000 t helper\n"));
afterAll(() => setKernelSymbols(undefined));

for (const [decoder, { chain, rows }] of Object.entries(cases)) {
  describe(`decoder ${decoder}`, () => {
    test.each(rows)("%s", (_what, input, expected) => {
      expect(run(chain, input)).toBe(expected);
    });
  });
}

describe("decoder configuration errors", () => {
  test.each([
    ["unknown decoder", one("nope"), /unknown decoder "nope"/],
    ["static_map without a table", one("static_map"), /static_map needs/],
    ["regexp without patterns", one("regexp"), /regexp needs `regexps`/],
    ["bad regular expression", one("regexp", { regexps: ["("] }), /bad regular expression "\("/],
  ])("%s", (_what, chain, message) => {
    expect(() => compileChain(chain)).toThrow(DecoderConfigError);
    expect(() => compileChain(chain)).toThrow(message);
  });

  test("sizes a decoder cannot take are errors, not guesses", () => {
    expect(() => run(one("inet_ip"), bytes(1, 2, 3))).toThrow("inet_ip takes 4 or 16 bytes, not 3");
    expect(() => run(one("ksym"), bytes(1, 2, 3, 4))).toThrow("ksym takes an 8-byte address");
    expect(() => run(one("uint"), new Uint8Array(9))).toThrow("uint takes 1 to 8 bytes");
  });
});
