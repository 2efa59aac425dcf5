import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { declarationDocs } from "./doc-comments.ts";
import { findTool } from "./find-tool.ts";
import { programDoc } from "./program-doc.ts";

const dir = mkdtempSync(join(tmpdir(), "eunomia-program-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function decls(source: string) {
  const path = join(dir, "prog.c");
  writeFileSync(path, source);
  const run = Bun.spawnSync([findTool("clang"), "-target", "bpf", "-Xclang", "-ast-dump=json", "-fsyntax-only", path]);
  if (run.exitCode !== 0) throw new Error(run.stderr.toString());
  return declarationDocs(JSON.parse(run.stdout.toString()), (f) => f === path);
}

test("@brief, multi-line @details, @version and free text of LICENSE's doc comment", () => {
  const doc = programDoc(
    decls(
      [
        "/// @brief   BPF bootstrap demo.",
        "/// @details It traces process start and exits.",
        "/// examples:",
        "///   ./bootstrap -d 10000",
        "/// @version 0.1",
        'char LICENSE[] __attribute__((section("license"))) = "GPL";',
      ].join("\n"),
    ),
  );
  expect(doc).toEqual({ brief: "BPF bootstrap demo.", details: "It traces process start and exits.\nexamples:\n./bootstrap -d 10000", version: "0.1" });
});

test("/** */ style, and text outside commands becomes description", () => {
  const doc = programDoc(decls(["/**", " * Counts syscalls.", " * @version 2", " */", 'char LICENSE[] = "GPL";'].join("\n")));
  expect(doc).toEqual({ description: "Counts syscalls.", version: "2" });
});

test("no doc without a doc comment on LICENSE; other globals' @brief is not the program's", () => {
  expect(programDoc(decls(['/// @brief not this', "int x;", "// @brief nor this", 'char LICENSE[] = "GPL";'].join("\n")))).toBeUndefined();
});
