import { realpathSync } from "node:fs";
import { basename, resolve } from "node:path";
import { firstDefinedStruct } from "./clang-ast.ts";
import { CompileError, firstErrorLine } from "./errors.ts";
import { runTool, type Log, type ToolRun } from "./run-tool.ts";

/** Options for {@link findExportStruct}. */
export interface ExportHeaderOptions {
  /** The header whose first struct is the exported event type. */
  header: string;
  clang: string;
  /** Target and macro flags (`-target bpf -D__TARGET_ARCH_x86 ...`, user cflags). */
  flags: string[];
  /** Include-path arguments (`-I dir`, `-idirafter dir`), in order. */
  includeArgs: string[];
  /**
   * A precompiled vmlinux.h to parse the header after, as the program itself does
   * (kernel types such as `bool` or `pid_t` then resolve). Without it the header must
   * stand alone.
   */
  pch?: string;
  log?: Log;
}

/**
 * Names the first struct defined in a C header, asking clang for the header's AST
 * (`-Xclang -ast-dump=json -fsyntax-only`): comments, macros, forward declarations and
 * structs from included files are handled as the compiler sees them.
 * Returns undefined when the header defines no named struct.
 * @throws CompileError (stage "header") when clang cannot parse the header.
 * @example await findExportStruct({ header: "prog.bpf.h", clang, flags, includeArgs: ["-I."] }) // "event"
 */
export async function findExportStruct(opts: ExportHeaderOptions): Promise<string | undefined> {
  const header = resolve(opts.header);
  const run = await dumpAst(opts, header);
  if (run.code !== 0) {
    throw new CompileError("header", `cannot parse header ${basename(header)}: ${firstErrorLine(run.stderr)}`, { diagnostics: run.stderr });
  }
  let ast: unknown;
  try {
    ast = JSON.parse(new TextDecoder().decode(run.stdout));
  } catch (cause) {
    throw new CompileError("header", `clang printed no readable AST for ${basename(header)}: ${(cause as Error).message}`, { cause });
  }
  const real = safeRealpath(header);
  return firstDefinedStruct(ast, (file) => {
    const abs = resolve(file);
    return abs === header || safeRealpath(abs) === real;
  });
}

function dumpAst(opts: ExportHeaderOptions, header: string): Promise<ToolRun> {
  const argv = [
    opts.clang,
    ...opts.flags,
    ...opts.includeArgs,
    ...(opts.pch ? ["-include-pch", opts.pch] : []),
    "-Xclang", "-ast-dump=json",
    "-fsyntax-only",
    // Parse as a translation unit, not a header to precompile.
    "-x", "c",
    header,
  ];
  return runTool(argv, { log: opts.log });
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
