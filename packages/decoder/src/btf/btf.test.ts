import { describe, expect, test } from "bun:test";
import { compileFixture } from "../../fixtures/compile.ts";
import { parseElf } from "../elf.ts";
import { BtfError } from "../errors.ts";
import { btfFromElf } from "./parse.ts";

const btf = btfFromElf(parseElf(compileFixture("kinds.bpf.c")));

/** Type id of a global variable's type (the VAR's target). */
function varType(name: string): number {
  const v = btf.find(name, "var");
  if (v?.kind !== "var") throw new Error(`no var ${name}`);
  return v.typeId;
}

function memberType(struct: string, member: string): number {
  const s = btf.find(struct, "struct");
  if (s?.kind !== "struct") throw new Error(`no struct ${struct}`);
  const m = s.members.find((x) => x.name === member);
  if (!m) throw new Error(`no member ${member}`);
  return m.typeId;
}

describe("Btf", () => {
  test("get and find", () => {
    expect(btf.get(0)).toEqual({ kind: "void", id: 0, name: "" });
    expect(() => btf.get(btf.types.length)).toThrow(new BtfError(`BTF type id ${btf.types.length} out of range (0..${btf.types.length - 1})`));
    expect(() => btf.get(-1)).toThrow(BtfError);
    expect(() => btf.get(1.5)).toThrow(BtfError);
    expect(btf.find("event")?.kind).toBe("struct");
    expect(btf.find("pid_t", "typedef")?.kind).toBe("typedef");
    expect(btf.find("pid_t", "struct")).toBeUndefined();
    expect(btf.find("no_such_type")).toBeUndefined();
  });

  test("resolve skips typedefs and qualifiers", () => {
    const r = btf.resolve(memberType("event", "cv_pid"));
    expect(r.kind === "int" && r.name).toBe("int");
    expect(btf.resolve(varType("min_duration_ns")).name).toBe("unsigned long long");
    expect(btf.resolve(memberType("event", "uptr")).kind).toBe("ptr");
  });

  test("sizeOf and alignOf match what clang's _Static_asserts in the fixture check", () => {
    const ev = btf.find("event", "struct")!.id;
    expect(btf.sizeOf(ev)).toBe(208);
    expect(btf.alignOf(ev)).toBe(16);
    expect(btf.sizeOf(btf.find("inner", "struct")!.id)).toBe(6);
    expect(btf.alignOf(btf.find("inner", "struct")!.id)).toBe(2);
    expect(btf.alignOf(btf.find("spellings", "struct")!.id)).toBe(1);
    expect(btf.sizeOf(varType("matrix"))).toBe(32);
    expect(btf.alignOf(varType("matrix"))).toBe(4);
    expect(btf.sizeOf(varType("big_mask"))).toBe(16);
    expect(btf.alignOf(varType("big_mask"))).toBe(16);
    expect(btf.sizeOf(memberType("event", "next"))).toBe(8);
    expect(btf.sizeOf(btf.find("min_duration_ns", "var")!.id)).toBe(8);
    expect(() => btf.sizeOf(0)).toThrow("BTF type 0 (void) has no size");
    expect(() => btf.sizeOf(btf.find("handle_exec")!.id)).toThrow("(func 'handle_exec') has no size");
  });

  test("typeName spells types as C and eunomia-bpf do", () => {
    const cases: [number, string][] = [
      [memberType("event", "s32"), "int"],
      [memberType("event", "u32"), "unsigned int"],
      [memberType("event", "u64"), "unsigned long long"],
      [memberType("event", "u128"), "unsigned __int128"],
      [memberType("event", "comm"), "char[16]"],
      [memberType("event", "flag"), "bool"],
      [memberType("event", "kind"), "enum event_type"],
      [memberType("event", "big"), "enum big_flags"],
      [memberType("event", "in"), "struct inner"],
      [memberType("event", "next"), "struct event *"],
      [memberType("event", "pid"), "pid_t"],
      [memberType("event", "cv_pid"), "cv_pid_t"],
      [memberType("event", "grid"), "int[2][3]"],
      [memberType("event", "f64"), "double"],
      [memberType("event", "uptr"), "int *"],
      [memberType("spellings", "name127"), "char[127]"],
      [memberType("spellings", "cstr"), "const char *"],
      [memberType("spellings", "argv"), "char **"],
      [memberType("spellings", "cptr"), "char * const"],
      [memberType("spellings", "fn"), "int (*)(int, char *)"],
      [memberType("spellings", "parr"), "int (*)[4]"],
      [memberType("spellings", "ptrs"), "struct inner *[2]"],
      [memberType("spellings", "vi"), "volatile int"],
      [memberType("spellings", "vfn"), "void (*)(void)"],
      [varType("min_duration_ns"), "const volatile unsigned long long"],
      [varType("comm_filter"), "const volatile char[16]"],
      [varType("matrix"), "const volatile int[4][2]"],
      [varType("verbose"), "const volatile bool"],
      [varType("only_kind"), "const volatile enum event_type"],
      [varType("counter"), "unsigned int"],
      [btf.find("handle_exec")!.id, "int handle_exec(void *)"],
      [0, "void"],
    ];
    expect(cases.map(([id]) => btf.typeName(id))).toEqual(cases.map(([, name]) => name));
  });

  test("typeName without qualifiers drops only top-level const/volatile", () => {
    const plain = (id: number) => btf.typeName(id, { qualifiers: false });
    expect(plain(varType("min_duration_ns"))).toBe("unsigned long long");
    expect(plain(varType("comm_filter"))).toBe("char[16]");
    expect(plain(varType("matrix"))).toBe("int[4][2]");
    expect(plain(varType("sshort"))).toBe("short");
    expect(plain(memberType("spellings", "cstr"))).toBe("const char *");
    expect(plain(memberType("spellings", "cptr"))).toBe("char *");
  });
});
