/** Test helper: the declarations of a C source as the real clang attaches its doc comments. */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { declarationDocs, type DeclarationDoc } from "../src/doc-comments.ts";
import { findTool } from "../src/find-tool.ts";

/** Returns a `decls(source)` that parses each source in a temp folder removed after the file's tests. */
export function declarationsOf(prefix: string): (source: string) => DeclarationDoc[] {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (source) => {
    const path = join(dir, "prog.c");
    writeFileSync(path, source);
    const run = Bun.spawnSync([findTool("clang"), "-target", "bpf", "-Xclang", "-ast-dump=json", "-fsyntax-only", path]);
    if (run.exitCode !== 0) throw new Error(run.stderr.toString());
    return declarationDocs(JSON.parse(run.stdout.toString()), (f) => f === path);
  };
}
