import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { SymbolError } from "../errors.ts";
import { parseKallsyms } from "./kallsyms.ts";

const text = readFileSync("/proc/kallsyms", "utf8");

/** The address of `name` as the kernel lists it, found with a plain text search. */
function addressOf(name: string): bigint {
  const m = new RegExp(`^([0-9a-f]{16}) [tT] ${name}$`, "m").exec(text);
  if (!m) throw new Error(`${name} is not in /proc/kallsyms`);
  return BigInt(`0x${m[1]}`);
}

describe("parseKallsyms on the running kernel's /proc/kallsyms", () => {
  const t0 = performance.now();
  const ksyms = parseKallsyms(text);
  const parseMs = performance.now() - t0;

  test("holds the kernel's text symbols and parses in well under a second", () => {
    const textLines = text.split("\n").filter((l) => / [tTwW] /.test(l)).length;
    expect(ksyms.size).toBeGreaterThan(10_000);
    expect(ksyms.size).toBeLessThanOrEqual(textLines);
    expect(parseMs).toBeLessThan(1000);
  });

  test("resolves addresses inside syscall entry functions to name+offset", () => {
    for (const name of ["do_syscall_64", "entry_SYSCALL_64", "__x64_sys_nanosleep", "do_nanosleep"]) {
      const at = addressOf(name);
      expect(ksyms.lookup(at)).toMatchObject({ name, address: at, offset: 0 });
      expect(ksyms.lookup(at + 5n)).toMatchObject({ name, address: at, offset: 5 });
      expect(ksyms.lookup(at + 5n)?.module).toBeUndefined();
    }
  });

  test("an address just below a function belongs to the symbol before it", () => {
    const at = addressOf("do_syscall_64");
    const before = ksyms.lookup(at - 1n)!;
    expect(before.name).not.toBe("do_syscall_64");
    expect(before.address).toBeLessThan(at);
    expect(BigInt(before.offset)).toBe(at - 1n - before.address);
  });

  test("user-space addresses resolve to nothing", () => {
    expect(ksyms.lookup(0x401000n)).toBeUndefined();
    expect(ksyms.lookup(0x7fff_ffff_f000n)).toBeUndefined();
  });
});

describe("parseKallsyms on given text", () => {
  const sample = [
    "ffffffff81000000 T _stext",
    "ffffffff81000000 T _text",
    "ffffffff81001000 t helper",
    "ffffffff81002000 D some_data",
    "0000000000000000 A fixed_percpu_data",
    "ffffffffc0002000 t bpf_prog_6deef7357e7b4530_handle_exec\t[bpf]",
    "ffffffffc0001000 t nft_do_chain\t[nf_tables]",
    "ffffffff81001800 W weak_fn",
    "",
  ].join("\n");
  const ksyms = parseKallsyms(sample);

  test("keeps text symbols only, sorted, the first listed of an address winning", () => {
    expect(ksyms.size).toBe(5);
    expect(ksyms.lookup(0xffffffff81000010n)).toEqual({ name: "_stext", address: 0xffffffff81000000n, offset: 16 });
    // some_data (D) is not code: the address stays with weak_fn.
    expect(ksyms.lookup(0xffffffff81002004n)).toEqual({ name: "weak_fn", address: 0xffffffff81001800n, offset: 0x804 });
  });

  test("names the module of module and BPF program symbols, even when listed out of order", () => {
    expect(ksyms.lookup(0xffffffffc0001010n)).toEqual({ name: "nft_do_chain", address: 0xffffffffc0001000n, offset: 16, module: "nf_tables" });
    expect(ksyms.lookup(0xffffffffc0002001n)).toEqual({
      name: "bpf_prog_6deef7357e7b4530_handle_exec", address: 0xffffffffc0002000n, offset: 1, module: "bpf",
    });
  });

  test("an address 4 GiB past the last symbol, or below the first, is no match", () => {
    expect(ksyms.lookup(0xffffffff80ffffffn)).toBeUndefined();
    expect(ksyms.lookup(0xffffffffc0002000n + (1n << 32n) - 1n)?.name).toBe("bpf_prog_6deef7357e7b4530_handle_exec");
    expect(parseKallsyms("ffffffff00000000 T a\n").lookup(0xffffffff00000000n + (1n << 32n))).toBeUndefined();
  });

  test("addresses hidden by kptr_restrict (all zero) give an empty table", () => {
    const hidden = parseKallsyms("0000000000000000 T _stext\n0000000000000000 t helper\n");
    expect(hidden.size).toBe(0);
    expect(hidden.lookup(0xffffffff81000000n)).toBeUndefined();
    expect(parseKallsyms("").size).toBe(0);
  });

  test("malformed lines are a SymbolError naming the line", () => {
    expect(() => parseKallsyms("ffffffff81000000 T ok\nnot kallsyms at all\n")).toThrow(SymbolError);
    expect(() => parseKallsyms("ffffffff81000000 T ok\nnot kallsyms at all\n")).toThrow(/bad kallsyms line 2: "not kallsyms at all"/);
    expect(() => parseKallsyms("zzzz T x\n")).toThrow(/line 1/);
    expect(() => parseKallsyms("ffffffff81000000 T \n")).toThrow(/no symbol name/);
    expect(() => parseKallsyms("ffffffff810000000 T toolong\n")).toThrow(SymbolError);
  });
});
