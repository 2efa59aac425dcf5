import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { declarationDocs, variableDoc, type DeclarationDoc } from "./doc-comments.ts";
import { findTool } from "./find-tool.ts";

const dir = mkdtempSync(join(tmpdir(), "eunomia-doc-comments-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** clang's real JSON AST of `source` (written to prog.c, beside `files`). */
function ast(source: string, files: Record<string, string> = {}): unknown {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const path = join(dir, "prog.c");
  writeFileSync(path, source);
  const run = Bun.spawnSync([findTool("clang"), "-target", "bpf", "-Xclang", "-ast-dump=json", "-fsyntax-only", path]);
  if (run.exitCode !== 0) throw new Error(run.stderr.toString());
  return JSON.parse(run.stdout.toString());
}

const ours = (file: string) => file === join(dir, "prog.c");
const brief = (d: DeclarationDoc) => ({ kind: d.kind, name: d.name, line: d.line, comment: d.comment });

describe("declarationDocs on clang's AST", () => {
  test("commands, their text and lines; descriptions; block commands; plain comments ignored", () => {
    const docs = declarationDocs(
      ast(
        [
          /* 1 */ "#define SEC(x) __attribute__((section(x), used))",
          /* 2 */ "/// The minimum duration,",
          /* 3 */ "/// in nanoseconds.",
          /* 4 */ '/// @cmdarg {"short": "d", "long": "min"}',
          /* 5 */ "const volatile unsigned long long min_ns = 0;",
          /* 6 */ "/* not a doc comment */",
          /* 7 */ "int plain;",
          /* 8 */ "/**",
          /* 9 */ " * @brief Counts things",
          /* 10 */ " * @details Two lines",
          /* 11 */ " *   of details.",
          /* 12 */ " * @version 1.2.3",
          /* 13 */ " */",
          /* 14 */ 'char LICENSE[] SEC("license") = "GPL";',
          /* 15 */ "/// @sample",
          /* 16 */ "int empty_command;",
        ].join("\n"),
      ),
      ours,
    );
    expect(docs.map(brief)).toEqual([
      {
        kind: "VarDecl",
        name: "min_ns",
        line: 5,
        comment: { text: "The minimum duration,\nin nanoseconds.", commands: [{ name: "cmdarg", text: '{"short": "d", "long": "min"}', line: 4 }], line: 2 },
      },
      { kind: "VarDecl", name: "plain", line: 7, comment: undefined },
      {
        kind: "VarDecl",
        name: "LICENSE",
        line: 14,
        comment: {
          text: "",
          commands: [
            { name: "brief", text: "Counts things", line: 9 },
            { name: "details", text: "Two lines\nof details.", line: 10 },
            { name: "version", text: "1.2.3", line: 12 },
          ],
          line: 9,
        },
      },
      { kind: "VarDecl", name: "empty_command", line: 16, comment: { text: "", commands: [{ name: "sample", text: "", line: 15 }], line: 15 } },
    ]);
  });

  test("a map's comment sits on its anonymous struct; JSON may span lines", () => {
    const docs = declarationDocs(
      ast(
        [
          /* 1 */ "#define SEC(x) __attribute__((section(x), used))",
          /* 2 */ "struct hist { unsigned slots[4]; };",
          /* 3 */ '/// @sample {"interval": 1000,',
          /* 4 */ '///   "type": "log2_hist"}',
          /* 5 */ "struct {",
          /* 6 */ "  int (*type)[1];",
          /* 7 */ "  struct hist *value;",
          /* 8 */ '} hists SEC(".maps");',
          /* 9 */ "struct { int (*type)[1]; } bare SEC(\".maps\");",
        ].join("\n"),
      ),
      ours,
    );
    const hists = variableDoc(docs, "hists");
    expect(hists?.decl.line).toBe(8);
    expect(hists?.comment?.commands).toEqual([{ name: "sample", text: '{"interval": 1000,\n"type": "log2_hist"}', line: 3 }]);
    expect(variableDoc(docs, "bare")?.comment).toBeUndefined();
    expect(variableDoc(docs, "missing")).toBeUndefined();
  });

  test("declarations of included files are left out, and lines stay right after the include", () => {
    const docs = declarationDocs(
      ast(
        [
          /* 1 */ '#include "inc.h"',
          /* 2 */ "/// mine",
          /* 3 */ "int after_include;",
          /* 4 */ "#define DECLARE(n) int n",
          /* 5 */ "/// made by a macro",
          /* 6 */ "DECLARE(by_macro);",
        ].join("\n"),
        { "inc.h": "\n\n\n\n\n\n\n\n/// theirs\nint in_header;\n" },
      ),
      ours,
    );
    expect(docs.map((d) => [d.name, d.line, d.comment?.text])).toEqual([
      ["after_include", 3, "mine"],
      ["by_macro", 6, "made by a macro"],
    ]);
    const everything = declarationDocs(ast('#include "inc.h"\nint x;\n'), () => true);
    expect(everything.find((d) => d.name === "in_header")).toMatchObject({ file: join(dir, "inc.h"), line: 10, comment: { text: "theirs" } });
  });

  test("input that is not an AST gives no declarations", () => {
    expect(declarationDocs(null, () => true)).toEqual([]);
    expect(declarationDocs({ inner: 3 }, () => true)).toEqual([]);
  });
});
