/** The step of `build` that failed; lets the CLI word its hint without parsing messages. */
export type CompileStage =
  | "input" // a missing or unusable source/header/output path
  | "tool" // clang, llvm-strip or bpftool missing or not runnable
  | "vmlinux" // no kernel BTF, or bpftool could not dump it
  | "header" // the export header could not be parsed
  | "compile" // clang rejected the program
  | "strip" // llvm-strip failed
  | "metadata" // the object lacks what the package needs (BTF, the export struct)
  | "docs" // a doc comment command (`/// @sample {...}`) is malformed, or the source's doc comments cannot be read
  | "output"; // writing the package failed

/**
 * The one error `build` throws. `message` is a single line fit for a terminal;
 * `diagnostics` carries the tool's full stderr (clang's errors and warnings), which
 * the CLI prints below the message.
 *
 * @example
 * try { await build({ source: "prog.bpf.c" }) }
 * catch (e) { if (e instanceof CompileError) console.error(e.message + "\n" + e.diagnostics) }
 */
export class CompileError extends Error {
  override readonly name = "CompileError";
  /** Which step failed. */
  readonly stage: CompileStage;
  /** Full stderr of the failing tool, or "" when no tool ran. */
  readonly diagnostics: string;

  constructor(stage: CompileStage, message: string, opts: { diagnostics?: string; cause?: unknown } = {}) {
    super(message.replace(/\s*\n\s*/g, " "), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.stage = stage;
    this.diagnostics = opts.diagnostics ?? "";
  }
}

/** The first line of `text` that reads like a compiler error, else its first non-empty line. */
export function firstErrorLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.find((l) => /\b(fatal )?error:/.test(l)) ?? lines[0] ?? "";
}
