import { createHash } from "node:crypto";
import { existsSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { CompileError, firstErrorLine } from "./errors.ts";
import { runTool, type Log } from "./run-tool.ts";
import type { VmlinuxHeader } from "./vmlinux-header.ts";

/**
 * Returns a clang precompiled header of the cached vmlinux.h, built on first use.
 * Why: parsing a user header "after vmlinux.h" as text makes clang's JSON AST dump
 * carry every kernel type (~180 MB); with `-include-pch` the kernel declarations stay
 * undeserialized and the dump holds only the user's header.
 * The file name is keyed on the clang binary and `flags` (a PCH only loads with the
 * same compiler and compatible flags).
 * @throws CompileError (stage "header") when clang cannot build it.
 */
export async function ensureVmlinuxPch(opts: {
  clang: string;
  vmlinux: VmlinuxHeader;
  /** Target and macro flags, identical to those of the parse that will use it. */
  flags: string[];
  /** Rebuild even if present (used when clang rejected a stale one). */
  force?: boolean;
  log?: Log;
}): Promise<string> {
  const path = join(opts.vmlinux.dir, `vmlinux-${pchKey(opts.clang, opts.flags)}.pch`);
  if (!opts.force && existsSync(path)) return path;
  // Build under a temporary name and rename: concurrent builds never see half a PCH.
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const run = await runTool([opts.clang, ...opts.flags, "-x", "c-header", opts.vmlinux.path, "-o", tmp], { log: opts.log });
  if (run.code !== 0) {
    rmSync(tmp, { force: true });
    throw new CompileError("header", `cannot precompile vmlinux.h: ${firstErrorLine(run.stderr)}`, { diagnostics: run.stderr });
  }
  renameSync(tmp, path);
  return path;
}

function pchKey(clang: string, flags: string[]): string {
  const real = realpathSync(clang);
  const st = statSync(real);
  return createHash("sha256").update([real, st.size, st.mtimeMs, ...flags].join("\0")).digest("hex").slice(0, 16);
}
