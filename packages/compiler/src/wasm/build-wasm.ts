/**
 * `ecli build --wasm app.c prog.bpf.c [prog.bpf.h]`: compiles the eBPF program (as
 * `ecli build` does), embeds the object in a generated skeleton header, and compiles
 * the user-space side to a WASI command with clang's wasm32-wasi target (Debian's
 * clang-19, lld-19, wasi-libc and libclang-rt-19-dev-wasm32).
 */
/// <reference path="./header-text.d.ts" />
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import eunomiaWasmHeader from "../../include/eunomia-wasm.h" with { type: "text" };
import { build } from "../build.ts";
import { CompileError, firstErrorLine } from "../errors.ts";
import { findTool } from "../find-tool.ts";
import { runTool, type Log } from "../run-tool.ts";
import { skeletonHeader } from "./skeleton.ts";

/** What {@link buildWasm} takes. */
export interface BuildWasmOptions {
  /** The user-space C source, e.g. "app.c". */
  app: string;
  /** The eBPF program, e.g. "prog.bpf.c". */
  source: string;
  /** Optional header whose first struct is the event type (for the package written beside). */
  header?: string;
  /** Where the module (and the package of the eBPF side) go; default: the app's directory. */
  outDir?: string;
  /** Extra clang flags for the eBPF side. */
  cflags?: string[];
  /** Extra clang flags for the WebAssembly side. */
  wasmCflags?: string[];
  clang?: string;
  verbose?: boolean;
  log?: Log;
}

/** What {@link buildWasm} wrote. */
export interface BuildWasmResult {
  wasmPath: string;
  /** The generated skeleton, kept beside the module for reference (`<prog>.skel.h`). */
  skeletonPath: string;
  objectPath: string;
  sizes: { wasm: number; object: number };
  warnings: string[];
}

/** "bootstrap.bpf.c" -> "bootstrap". */
function stemOf(source: string): string {
  return basename(source).replace(/\.bpf\.c$/, "").replace(/\.c$/, "");
}

/**
 * Builds `app.wasm` from `app.c` and `prog.bpf.c`. The app includes "<prog>.skel.h"
 * (struct <prog>_bpf, <prog>_bpf__open/__load/__attach/__destroy) and "eunomia-wasm.h".
 * @throws CompileError with a one-line message; `.diagnostics` holds clang's stderr.
 * @example
 *   const r = await buildWasm({ app: "app.c", source: "bootstrap.bpf.c", header: "bootstrap.bpf.h" });
 */
export async function buildWasm(opts: BuildWasmOptions): Promise<BuildWasmResult> {
  const log: Log = opts.log ?? (opts.verbose ? (l) => process.stderr.write(`${l}\n`) : () => {});
  const app = resolve(opts.app);
  try {
    if (!statSync(app).isFile()) throw new Error();
  } catch {
    throw new CompileError("input", `app source ${opts.app} does not exist or is not a file`);
  }
  const outDir = resolve(opts.outDir ?? dirname(app));
  const bpf = await build({ source: opts.source, header: opts.header, outDir, cflags: opts.cflags, clang: opts.clang, verbose: opts.verbose, log: opts.log });
  const object = new Uint8Array(readFileSync(bpf.objectPath));
  const meta = bpf.package.meta.bpf_skel;
  const programs = (meta.progs ?? []).map((p) => p.name);
  const stem = stemOf(opts.source);
  const skeleton = skeletonHeader({ objName: meta.obj_name, object, programs });

  const clang = findTool("clang", { explicit: opts.clang });
  const work = mkdtempSync(join(tmpdir(), "ecli-wasm-"));
  try {
    writeFileSync(join(work, "eunomia-wasm.h"), eunomiaWasmHeader);
    writeFileSync(join(work, `${stem}.skel.h`), skeleton);
    const wasmPath = join(outDir, `${basename(app).replace(/\.c$/, "")}.wasm`);
    const args = [
      "--target=wasm32-wasi", "-O2", "-Wall",
      `-I${work}`, `-I${dirname(app)}`, `-I${dirname(resolve(opts.source))}`,
      ...(opts.wasmCflags ?? []),
      // The host calls event callbacks through the module's function table.
      "-Wl,--export-table",
      "-o", wasmPath, app,
    ];
    log(`compiling ${basename(app)} for wasm32-wasi`);
    const run = await runTool([clang, ...args], { log: opts.verbose ? log : undefined });
    if (run.code !== 0) {
      const why = firstErrorLine(run.stderr) || `clang exited with code ${run.code}`;
      throw new CompileError("compile", `cannot compile ${basename(app)} for wasm32-wasi: ${why}`, { diagnostics: run.stderr });
    }
    if (opts.verbose && run.stderr.trim()) log(run.stderr.trimEnd());
    const skeletonPath = join(outDir, `${stem}.skel.h`);
    writeFileSync(skeletonPath, skeleton);
    const wasm = statSync(wasmPath).size;
    log(`wrote ${wasmPath} (${wasm} bytes, object ${object.length} bytes)`);
    return { wasmPath, skeletonPath, objectPath: bpf.objectPath, sizes: { wasm, object: object.length }, warnings: bpf.warnings };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
