import { CompileError } from "./errors.ts";
import { findExportStruct } from "./export-header.ts";
import type { Log } from "./run-tool.ts";
import type { VmlinuxHeader } from "./vmlinux-header.ts";
import { ensureVmlinuxPch } from "./vmlinux-pch.ts";

/**
 * The struct a build exports: the first struct defined in `header`. The header is
 * parsed after vmlinux.h (precompiled), as it is when the program includes both; if
 * that fails for a reason other than a stale PCH, it is parsed alone (a header written
 * against other kernel headers). With no vmlinux.h it is parsed alone.
 * Returns undefined when the header defines no named struct (some libbpf-tools headers
 * hold only constants): the build then exports nothing and says so.
 * @throws CompileError (stage "header") when no parse succeeds.
 */
export async function exportStructOf(opts: {
  header: string;
  clang: string;
  flags: string[];
  /** Include-path arguments (`-I dir`, `-idirafter dir`), in order. */
  includeArgs: string[];
  vmlinux?: VmlinuxHeader;
  log?: Log;
}): Promise<string | undefined> {
  const base = { header: opts.header, clang: opts.clang, flags: opts.flags, includeArgs: opts.includeArgs, log: opts.log };
  let name: string | undefined;
  if (opts.vmlinux) {
    const withKernel = await afterVmlinux(base, opts.vmlinux);
    if (withKernel instanceof CompileError) {
      try {
        name = await findExportStruct(base);
      } catch {
        throw withKernel; // the header is meant for vmlinux.h: its errors there are the relevant ones
      }
    } else {
      name = withKernel;
    }
  } else {
    name = await findExportStruct(base);
  }
  return name;
}

type Base = { header: string; clang: string; flags: string[]; includeArgs: string[]; log?: Log };

async function afterVmlinux(base: Base, vmlinux: VmlinuxHeader, force = false): Promise<string | undefined | CompileError> {
  let pch: string;
  try {
    pch = await ensureVmlinuxPch({ clang: base.clang, vmlinux, flags: withoutWarningFlags(base.flags), force, log: base.log });
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  try {
    return await findExportStruct({ ...base, pch });
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    // A PCH goes stale if the compiler or vmlinux.h changed under it: rebuild it once.
    if (!force && /precompiled header|PCH file/i.test(e.diagnostics)) return afterVmlinux(base, vmlinux, true);
    return e;
  }
}

/** Warning options do not affect PCH compatibility: leave them out so they share one PCH. */
export function withoutWarningFlags(flags: string[]): string[] {
  return flags.filter((f) => !/^-W(?![alp],)/.test(f) && f !== "-w" && !f.startsWith("-pedantic"));
}
