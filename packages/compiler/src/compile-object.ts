import { basename, dirname, resolve } from "node:path";
import { CompileError, firstErrorLine } from "./errors.ts";
import { runTool, type Log } from "./run-tool.ts";

/** Options for {@link compileObject}. */
export interface CompileObjectOptions {
  clang: string;
  llvmStrip: string;
  /** The C file clang compiles (the user's source, or the generated wrapper). */
  input: string;
  /** The user's file name, for messages. */
  displayName: string;
  /** The user's source file: paths under its folder are recorded relative to it ("./x.bpf.c"). */
  source?: string;
  output: string;
  /** Target and macro flags (`-target bpf -D__TARGET_ARCH_x86`), then user cflags. */
  flags: string[];
  /** Include-path arguments (`-I dir`, `-idirafter dir`), in order. */
  includeArgs: string[];
  /** Rewrites clang's stderr before it is reported (hides the wrapper). */
  cleanDiagnostics?: (stderr: string) => string;
  log?: Log;
}

/**
 * Compiles one C file to a BPF object with BTF (`-g -O2`), then strips DWARF with
 * `llvm-strip -g` (.BTF and .BTF.ext are kept). Warnings go to `log`.
 * @throws CompileError stage "compile" with clang's stderr as `diagnostics`, or "strip".
 */
export async function compileObject(o: CompileObjectOptions): Promise<void> {
  const clean = o.cleanDiagnostics ?? ((s: string) => s);
  // The BTF line info names the source file: keep the build folder out of the package, so
  // the same program builds to the same bytes wherever it is checked out.
  const prefixMap = o.source ? [`-ffile-prefix-map=${dirname(resolve(o.source))}=.`] : [];
  const argv = [o.clang, "-g", "-O2", ...prefixMap, ...o.flags, ...o.includeArgs, "-c", o.input, "-o", o.output];
  const run = await runTool(argv, { log: o.log });
  const stderr = clean(run.stderr);
  if (run.code !== 0) {
    throw new CompileError("compile", `clang failed to compile ${o.displayName}: ${firstErrorLine(stderr)}`, { diagnostics: stderr });
  }
  if (stderr.trim() !== "") for (const line of stderr.trimEnd().split("\n")) o.log?.(line);

  const strip = await runTool([o.llvmStrip, "-g", o.output], { log: o.log });
  if (strip.code !== 0) {
    throw new CompileError("strip", `llvm-strip failed on ${basename(o.output)}: ${firstErrorLine(strip.stderr)}`, { diagnostics: strip.stderr });
  }
}
