import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { defaultCacheDir } from "./cache-dir.ts";
import { CompileError } from "./errors.ts";
import { findTool } from "./find-tool.ts";
import { kfuncPrototypes } from "./kfunc-prototypes.ts";
import { runTool, type Log } from "./run-tool.ts";

/** Where the running kernel publishes its own BTF. */
export const KERNEL_BTF_PATH = "/sys/kernel/btf/vmlinux";

/** Options for {@link ensureVmlinuxHeader}. */
export interface VmlinuxOptions {
  /** BTF to dump; default {@link KERNEL_BTF_PATH}. */
  btfPath?: string;
  /** Cache root; default {@link defaultCacheDir}. */
  cacheDir?: string;
  /** bpftool binary; default found by `findTool("bpftool")`. */
  bpftool?: string;
  log?: Log;
}

/** A cached vmlinux.h. */
export interface VmlinuxHeader {
  /** Directory to pass as `-I` so `#include "vmlinux.h"` resolves. */
  dir: string;
  /** Full path of the header. */
  path: string;
  /** True when an earlier run had already generated it. */
  reused: boolean;
}

/**
 * Provides a `vmlinux.h` generated from the kernel's BTF with
 * `bpftool btf dump file <btf> format c`, cached under
 * `<cacheDir>/vmlinux/<arch>/<sha256 of the BTF, 16 hex>/vmlinux.h` and written atomically,
 * so it is generated once per kernel and shared by concurrent builds.
 * Needs read access to the BTF file (world-readable on stock kernels) and bpftool on a miss.
 * @throws CompileError stage "vmlinux" (no BTF, bpftool failed) or "tool" (no bpftool).
 * @example const { dir } = await ensureVmlinuxHeader(); // then clang -I dir
 */
export async function ensureVmlinuxHeader(opts: VmlinuxOptions = {}): Promise<VmlinuxHeader> {
  const btfPath = opts.btfPath ?? KERNEL_BTF_PATH;
  let btf: Uint8Array;
  try {
    btf = readFileSync(btfPath);
  } catch (cause) {
    throw new CompileError("vmlinux", `cannot generate vmlinux.h: no readable kernel BTF at ${btfPath} (${(cause as Error).message})`, { cause });
  }
  // The suffix versions what we add to bpftool's output (kfunc prototypes), so an older cache is not reused.
  const hash = createHash("sha256").update(btf).update("+kfuncs-1").digest("hex").slice(0, 16);
  const dir = join(opts.cacheDir ?? defaultCacheDir(), "vmlinux", process.arch, hash);
  const path = join(dir, "vmlinux.h");
  if (existsSync(path)) return { dir, path, reused: true };

  const bpftool = findTool("bpftool", { explicit: opts.bpftool });
  opts.log?.(`generating vmlinux.h from ${btfPath}`);
  const run = await runTool([bpftool, "btf", "dump", "file", btfPath, "format", "c"], { log: opts.log });
  if (run.code !== 0 || run.stdout.length === 0) {
    const why = run.stderr.trim().split("\n")[0] || `exit code ${run.code}`;
    throw new CompileError("vmlinux", `bpftool could not dump ${btfPath} as C: ${why}`, { diagnostics: run.stderr });
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(path, Buffer.concat([run.stdout, Buffer.from(kfuncsOrNothing(btf, opts.log))]));
  } catch (cause) {
    throw new CompileError("vmlinux", `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
  return { dir, path, reused: false };
}

/** The kfunc prototypes bpftool 7.1 leaves out; "" (logged) when the BTF cannot be read for them. */
function kfuncsOrNothing(btf: Uint8Array, log: Log | undefined): string {
  try {
    return kfuncPrototypes(btf);
  } catch (e) {
    log?.(`no kfunc prototypes in vmlinux.h: ${(e as Error).message}`);
    return "";
  }
}
