/**
 * clang's JSON AST of the user's program, for its doc comments. Parsed after the
 * precompiled vmlinux.h when there is one, so kernel types stay undeserialized and the
 * dump holds only the program's own declarations (a few MB instead of ~180 MB).
 */
import { realpathSync } from "node:fs";
import { basename, resolve } from "node:path";
import { declarationDocs, type DeclarationDoc } from "./doc-comments.ts";
import { CompileError, firstErrorLine } from "./errors.ts";
import { withoutWarningFlags } from "./header-struct.ts";
import { runTool, type Log, type ToolRun } from "./run-tool.ts";
import type { VmlinuxHeader } from "./vmlinux-header.ts";
import { ensureVmlinuxPch } from "./vmlinux-pch.ts";

/** Options for {@link sourceAst}. */
export interface SourceAstOptions {
  /** The program, e.g. "/src/prog.bpf.c". */
  source: string;
  clang: string;
  /** Target and macro flags, as for the compile. */
  flags: string[];
  /** Include-path arguments, as for the compile. */
  includeArgs: string[];
  vmlinux?: VmlinuxHeader;
  log?: Log;
}

/**
 * Asks clang for the AST of `source` (`-Xclang -ast-dump=json -fsyntax-only`). With a
 * vmlinux.h it first parses after its PCH (rebuilt once if stale); a program that
 * does not build on vmlinux.h (it includes other kernel headers) is parsed alone.
 * @throws CompileError (stage "docs") when clang cannot parse the program.
 * @example const ast = await sourceAst({ source: "/src/prog.bpf.c", clang, flags, includeArgs, vmlinux });
 */
export async function sourceAst(opts: SourceAstOptions): Promise<unknown> {
  let run: ToolRun | undefined;
  if (opts.vmlinux) {
    const pchFlags = withoutWarningFlags(opts.flags);
    const pch = await ensureVmlinuxPch({ clang: opts.clang, vmlinux: opts.vmlinux, flags: pchFlags, log: opts.log }).catch((e: Error) => {
      // Still correct without it, only slower (the dump then carries every kernel type).
      opts.log?.(`no precompiled vmlinux.h (${e.message}): parsing ${basename(opts.source)} without it`);
      return undefined;
    });
    if (pch) run = await dump(opts, pch);
    if (run && run.code !== 0 && /precompiled header|PCH file/i.test(run.stderr)) {
      const rebuilt = await ensureVmlinuxPch({ clang: opts.clang, vmlinux: opts.vmlinux, flags: pchFlags, force: true, log: opts.log }).catch(() => undefined);
      if (rebuilt) run = await dump(opts, rebuilt);
    }
  }
  if (!run || run.code !== 0) {
    const alone = await dump(opts, undefined);
    if (alone.code === 0 || !run) run = alone;
  }
  const name = basename(opts.source);
  if (run.code !== 0) {
    throw new CompileError("docs", `cannot read the doc comments of ${name}: ${firstErrorLine(run.stderr)}`, { diagnostics: run.stderr });
  }
  try {
    return JSON.parse(new TextDecoder().decode(run.stdout));
  } catch (cause) {
    throw new CompileError("docs", `clang printed no readable AST for ${name}: ${(cause as Error).message}`, { cause });
  }
}

function dump(opts: SourceAstOptions, pch: string | undefined): Promise<ToolRun> {
  const argv = [
    opts.clang,
    ...opts.flags,
    ...opts.includeArgs,
    ...(pch ? ["-include-pch", pch] : []),
    "-w",
    "-Xclang", "-ast-dump=json",
    "-fsyntax-only",
    "-x", "c",
    opts.source,
  ];
  return runTool(argv, { log: opts.log });
}

/**
 * The file-scope declarations (with their doc comments) that the program itself
 * writes: those in files under `userDirs` (the source's and the header's directories),
 * not those of system or kernel headers.
 * @throws CompileError (stage "docs") when clang cannot parse the program.
 */
export async function programDeclarations(opts: SourceAstOptions, userDirs: string[]): Promise<DeclarationDoc[]> {
  const roots = [...new Set(userDirs.map((d) => safeRealpath(resolve(d))))];
  const inside = (file: string) => {
    const abs = safeRealpath(resolve(file));
    return roots.some((root) => abs.startsWith(root.endsWith("/") ? root : `${root}/`));
  };
  return declarationDocs(await sourceAst(opts), inside);
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
