import { describe, expect, test } from "bun:test";
import { compileFixture } from "../../fixtures/compile.ts";
import { btfFromElf } from "../btf/parse.ts";
import { parseElf } from "../elf.ts";
import { EncodeError } from "../errors.ts";
import { encodeValue } from "./encode-value.ts";

const btf = btfFromElf(parseElf(compileFixture("kinds.bpf.c")));
const byName = (name: string) => btf.find(name)!.id;
const member = (struct: string, m: string) => (btf.find(struct, "struct") as { members: { name: string; typeId: number }[] }).members.find((x) => x.name === m)!.typeId;
const enc = (id: number, v: string | number | bigint | boolean) => Array.from(encodeValue(btf, id, v));
const u32 = member("event", "u32");

describe("encodeValue", () => {
  test("integers of every width, decimal and hex, at their limits", () => {
    expect(enc(u32, "4294967295")).toEqual([255, 255, 255, 255]);
    expect(enc(u32, "0x10")).toEqual([16, 0, 0, 0]);
    expect(enc(u32, 7)).toEqual([7, 0, 0, 0]);
    expect(enc(member("event", "s32"), "-2147483648")).toEqual([0, 0, 0, 128]);
    expect(enc(member("event", "s8"), "-1")).toEqual([255]);
    expect(enc(member("event", "u16"), "65535")).toEqual([255, 255]);
    expect(enc(byName("min_duration_ns"), "18446744073709551615")).toEqual(Array(8).fill(255));
    expect(enc(member("event", "s64"), -9223372036854775808n)).toEqual([0, 0, 0, 0, 0, 0, 0, 128]);
    expect(enc(member("event", "u128"), "0xffffffffffffffffffffffffffffffff")).toEqual(Array(16).fill(255));
    expect(enc(member("event", "s128"), "-1")).toEqual(Array(16).fill(255));
    expect(enc(member("event", "pid"), "+42")).toEqual([42, 0, 0, 0]);
  });

  test("range and syntax errors name the type and the value", () => {
    const err = (id: number, v: string | number | bigint | boolean) => {
      try { encodeValue(btf, id, v); } catch (e) { expect(e).toBeInstanceOf(EncodeError); return (e as Error).message; }
      throw new Error("no error");
    };
    expect(err(u32, "4294967296")).toBe('cannot encode "4294967296" as unsigned int: out of range 0..4294967295');
    expect(err(u32, "-1")).toBe('cannot encode "-1" as unsigned int: out of range 0..4294967295');
    expect(err(member("event", "s8"), "128")).toBe('cannot encode "128" as signed char: out of range -128..127');
    expect(err(byName("target_pid"), "12abc")).toBe('cannot encode "12abc" as int: not an integer (decimal or 0x hex)');
    expect(err(u32, "")).toContain("not an integer");
    expect(err(u32, " 1")).toContain("not an integer");
    expect(err(u32, 1.5)).toBe("cannot encode 1.5 as unsigned int: not an integer (decimal or 0x hex)");
    expect(err(u32, true)).toContain("not an integer");
    expect(err(byName("min_duration_ns"), "18446744073709551616")).toContain("out of range 0..18446744073709551615");
    expect(err(member("event", "u128"), 2n ** 128n)).toContain("out of range 0..340282366920938463463374607431768211455");
    expect(err(member("event", "in"), "1")).toBe('cannot encode "1" as struct inner: no command-line form for struct types');
    expect(err(member("event", "next"), "1")).toContain("no command-line form for ptr types");
  });

  test("floats are little-endian IEEE", () => {
    expect(enc(byName("ratio"), "1.5")).toEqual([0, 0, 0xc0, 0x3f]);
    expect(enc(byName("ratio64"), -2)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0]);
    expect(enc(byName("ratio64"), "1e3")).toEqual(Array.from(new Uint8Array(new Float64Array([1000]).buffer)));
    expect(enc(byName("ratio"), "inf")).toEqual([0, 0, 0x80, 0x7f]);
    expect(() => encodeValue(btf, byName("ratio"), "1e39")).toThrow("cannot encode \"1e39\" as float: out of range for float");
    expect(() => encodeValue(btf, byName("ratio"), "abc")).toThrow("cannot encode \"abc\" as float: not a number");
  });

  test("bool, char[N] and enums", () => {
    expect(enc(byName("verbose"), true)).toEqual([1]);
    expect(enc(byName("verbose"), "false")).toEqual([0]);
    expect(() => encodeValue(btf, byName("verbose"), "maybe")).toThrow('cannot encode "maybe" as bool: expected true or false');
    expect(enc(byName("comm_filter"), "bash")).toEqual([98, 97, 115, 104, ...Array(12).fill(0)]);
    expect(enc(byName("comm_filter"), "x".repeat(15)).length).toBe(16);
    expect(() => encodeValue(btf, byName("comm_filter"), "x".repeat(16))).toThrow('cannot encode "xxxxxxxxxxxxxxxx" as char[16]: 16 bytes, at most 15 fit');
    expect(enc(byName("only_kind"), "EV_EXIT")).toEqual([2, 0, 0, 0]);
    expect(enc(byName("only_kind"), "EV_NEG")).toEqual([253, 255, 255, 255]);
    expect(enc(byName("only_kind"), "7")).toEqual([7, 0, 0, 0]);
    expect(() => encodeValue(btf, byName("only_kind"), "EV_NOPE")).toThrow('cannot encode "EV_NOPE" as enum event_type: not one of EV_START, EV_EXIT, EV_NEG or an integer');
    expect(enc(member("event", "big"), "BIG_HIGH")).toEqual([0, 0, 0, 0, 0, 0, 0, 128]);
    expect(() => encodeValue(btf, member("event", "grid"), "1")).toThrow("only char arrays take a value");
  });
});
