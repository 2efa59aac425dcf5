import { constants } from "node:os";
import { basename } from "node:path";
import { CompileError } from "./errors.ts";

/** What a finished tool run left behind. */
export interface ToolRun {
  /** Exit code; a signal-killed tool reports 128 + signal number, like a shell. */
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Progress sink shared by every step of a build. */
export type Log = (line: string) => void;

/**
 * Runs `argv` to completion and captures its output. Never throws for a non-zero exit
 * (callers decide what failure means); throws `CompileError` (stage "tool") only when
 * the program cannot be started at all.
 */
export async function runTool(argv: string[], opts: { log?: Log; cwd?: string } = {}): Promise<ToolRun> {
  opts.log?.(`$ ${argv.map(shellQuote).join(" ")}`);
  let proc: ReturnType<typeof spawn>;
  try {
    proc = spawn(argv, opts.cwd);
  } catch (cause) {
    throw new CompileError("tool", `cannot run ${basename(argv[0] ?? "?")}: ${(cause as Error).message}`, { cause });
  }
  // Read both pipes at once: a tool that fills stderr while we wait on stdout would stall.
  const [stdout, stderr, exit] = await Promise.all([
    new Response(proc.stdout).bytes(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const sig = proc.signalCode;
  const code = sig == null ? exit : 128 + (typeof sig === "number" ? sig : (constants.signals[sig] ?? 0));
  return { code, stdout, stderr };
}

function spawn(argv: string[], cwd: string | undefined) {
  return Bun.spawn({ cmd: argv, cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** Quotes one argument for display in a verbose log (never executed by a shell). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
