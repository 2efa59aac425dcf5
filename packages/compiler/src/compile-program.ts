import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compileObject } from "./compile-object.ts";
import { CompileError } from "./errors.ts";
import type { Log } from "./run-tool.ts";
import { hideWrapper, wrapperSource } from "./wrapper-unit.ts";

/** Options for {@link compileProgram}. */
export interface CompileProgramOptions {
  clang: string;
  llvmStrip: string;
  source: string;
  /** With `exportStruct`: compile the wrapper that keeps this struct of this header in BTF. */
  header?: { path: string; exportStruct: string };
  /** The object's file name, e.g. "prog.bpf.o". */
  objectName: string;
  flags: string[];
  includeArgs: string[];
  /** Why vmlinux.h is unavailable, reported if the program turns out to include it. */
  vmlinuxError?: CompileError;
  log?: Log;
}

/**
 * Compiles the user's program (through the export wrapper when a header is given) in a
 * private temporary directory, and returns the stripped object's bytes. Nothing is
 * left behind, whatever happens.
 * @throws CompileError from clang or llvm-strip; stage "vmlinux"/"tool" when the program
 *   includes vmlinux.h and it could not be generated.
 */
export async function compileProgram(o: CompileProgramOptions): Promise<Uint8Array> {
  let work: string;
  try {
    work = mkdtempSync(join(tmpdir(), "eunomia-build-"));
  } catch (cause) {
    throw new CompileError("output", `cannot create a temporary directory: ${(cause as Error).message}`, { cause });
  }
  try {
    const output = join(work, o.objectName);
    let input = o.source;
    if (o.header) {
      input = join(work, `${basename(o.source)}.eunomia.c`);
      writeFileSync(input, wrapperSource(o.source, o.header.path, o.header.exportStruct));
    }
    const wrapper = input;
    try {
      await compileObject({
        clang: o.clang,
        llvmStrip: o.llvmStrip,
        input,
        displayName: basename(o.source),
        source: o.source,
        output,
        flags: o.flags,
        includeArgs: o.includeArgs,
        cleanDiagnostics: o.header ? (s) => hideWrapper(s, wrapper) : undefined,
        log: o.log,
      });
    } catch (e) {
      const why = o.vmlinuxError;
      if (e instanceof CompileError && why && /vmlinux\.h' file not found/.test(e.diagnostics)) {
        throw new CompileError(why.stage, `${basename(o.source)} includes vmlinux.h, but ${why.message}`, { diagnostics: e.diagnostics, cause: e });
      }
      throw e;
    }
    return new Uint8Array(readFileSync(output));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
