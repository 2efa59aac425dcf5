import { describe, expect, test } from "bun:test";
import { declarationsOf } from "../test-support/declarations.ts";
import type { DataSection } from "@eunomia/loader/package";
import { CompileError } from "./errors.ts";
import { parseCmdarg, withVariableDocs } from "./variable-docs.ts";

const decls = declarationsOf("eunomia-variable-docs-");

const section = (...names: string[]): DataSection[] => [{ name: ".rodata", variables: names.map((name) => ({ name, type: "int" })) }];

describe("withVariableDocs on tricky sources", () => {
  const source = [
    /* 1 */ "#define FLAG(name) const volatile int name = 0",
    /* 2 */ 'const char *fake = "/// @cmdarg {not json";',
    /* 3 */ "const volatile int after_string = 0;",
    /* 4 */ "// plain line comment, not a doc",
    /* 5 */ "const volatile int after_plain = 0;",
    /* 6 */ "/* a block comment */",
    /* 7 */ "const volatile int after_block = 0;",
    /* 8 */ "/// Across a blank line",
    /* 9 */ "",
    /* 10 */ "const volatile int after_blank = 0;",
    /* 11 */ "/// From a macro",
    /* 12 */ '/// @cmdarg {"short": "m", "help": "macro flag"}',
    /* 13 */ "FLAG(from_macro);",
    /* 14 */ "/**",
    /* 15 */ " * Block doc, two",
    /* 16 */ " * lines.",
    /* 17 */ ' * @cmdarg {"default": "eth0", "long": "ifname"}',
    /* 18 */ " */",
    /* 19 */ "const volatile char ifname[16] = {};",
    /* 20 */ "/// @description only explicit",
    /* 21 */ "const volatile int explicit_desc = 0;",
    /* 22 */ "/// Doc then a plain comment",
    /* 23 */ "/* plain */",
    /* 24 */ "const volatile int doc_then_plain = 0;",
  ].join("\n");
  const vars = withVariableDocs(
    section("after_string", "after_plain", "after_block", "after_blank", "from_macro", "ifname", "explicit_desc", "doc_then_plain", "missing"),
    decls(source),
  )[0].variables;
  const of = (name: string) => vars.find((v) => v.name === name);

  test("`///` inside a string, `//` and `/* */` comments are not doc comments", () => {
    expect(of("after_string")).toEqual({ name: "after_string", type: "int" });
    expect(of("after_plain")).toEqual({ name: "after_plain", type: "int" });
    expect(of("after_block")).toEqual({ name: "after_block", type: "int" });
  });

  test("a doc comment across a blank line still attaches (clang's rule)", () => {
    expect(of("after_blank")?.description).toBe("Across a blank line");
  });

  test("a global made by a macro takes the doc comment before the macro's use", () => {
    expect(of("from_macro")).toEqual({ name: "from_macro", type: "int", description: "From a macro", cmdarg: { short: "m", help: "macro flag" } });
  });

  test("/** */ blocks: description lines joined, @cmdarg with a string default", () => {
    expect(of("ifname")).toEqual({ name: "ifname", type: "int", description: "Block doc, two\nlines.", cmdarg: { default: "eth0", long: "ifname" } });
  });

  test("@description sets the description", () => {
    expect(of("explicit_desc")?.description).toBe("only explicit");
  });

  test("a plain comment between a doc comment and its global does not hide the doc", () => {
    expect(of("doc_then_plain")?.description).toBe("Doc then a plain comment");
  });

  test("a variable with no declaration in the source is left alone", () => {
    expect(of("missing")).toEqual({ name: "missing", type: "int" });
  });

  test("malformed @cmdarg JSON fails naming file:line", () => {
    const bad = decls(["/// ok", '/// @cmdarg {"short": "p",}', "const volatile int pid = 0;"].join("\n"));
    expect(() => withVariableDocs(section("pid"), bad)).toThrow(/^prog\.c:2: @cmdarg of 'pid' is not valid JSON/);
    try {
      withVariableDocs(section("pid"), bad);
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      expect((e as CompileError).stage).toBe("docs");
    }
  });

  test("two @cmdarg on one global fail at the second", () => {
    const two = decls(['/// @cmdarg {"short": "a"}', '/// @cmdarg {"short": "b"}', "const volatile int x = 0;"].join("\n"));
    expect(() => withVariableDocs(section("x"), two)).toThrow("prog.c:2: 'x' has a second @cmdarg");
  });
});

describe("parseCmdarg", () => {
  const site = { file: "/src/p.bpf.c", line: 7, variable: "v" };
  test("keeps every known key", () => {
    expect(parseCmdarg('{"default": 5, "short": "f", "long": "failed", "help": "only failed"}', site)).toEqual({
      default: 5,
      short: "f",
      long: "failed",
      help: "only failed",
    });
  });
  for (const [text, why] of [
    ["", /nothing after @cmdarg/],
    ["[1]", /must be a JSON object/],
    ['{"shrt": "f"}', /unknown key "shrt"/],
    ['{"short": "ff"}', /use one letter or digit/],
    ['{"long": "--x"}', /has "long" "--x"/],
    ['{"help": 3}', /"help" that is not a string/],
    ['{"default": [1]}', /"default" that is not a number/],
  ] as const) {
    test(`rejects ${text || "(nothing)"}`, () => {
      expect(() => parseCmdarg(text, site)).toThrow(why);
      expect(() => parseCmdarg(text, site)).toThrow(/^p\.bpf\.c:7: @cmdarg of 'v' /);
    });
  }
});
