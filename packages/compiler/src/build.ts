import { mkdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writePackageJson, writePackageMsgpack, type PackageJson } from "@eunomia/loader/package";
import { writeFileAtomic } from "./atomic-write.ts";
import { compileProgram } from "./compile-program.ts";
import { describeObject } from "./describe-object.ts";
import { CompileError } from "./errors.ts";
import { findTool } from "./find-tool.ts";
import { exportStructOf } from "./header-struct.ts";
import { hostIncludeDirs } from "./host-includes.ts";
import { ensureLibbpfCompat } from "./libbpf-compat.ts";
import { withMapOptions } from "./map-options.ts";
import { withMapSamples } from "./map-samples.ts";
import { objectFileName, objNameFromPath } from "./obj-name.ts";
import { programDoc } from "./program-doc.ts";
import type { Log } from "./run-tool.ts";
import { programDeclarations } from "./source-ast.ts";
import { targetArch } from "./target-arch.ts";
import { withVariableDocs } from "./variable-docs.ts";
import { ensureVmlinuxHeader, type VmlinuxHeader } from "./vmlinux-header.ts";

/** What `ecli build` takes. */
export interface BuildOptions {
  /** The eBPF program, e.g. "prog.bpf.c". */
  source: string;
  /** Header whose first struct is the event type sent to user space. */
  header?: string;
  /** Where package.json and the object go; default: the source's directory. */
  outDir?: string;
  /** Extra clang flags, after the built-in ones. */
  cflags?: string[];
  /** clang binary; default `$CLANG`, then clang-19, then clang on PATH. */
  clang?: string;
  /**
   * Compile `source` as a header alone (as the original `ecc --header-only event.h`):
   * the package carries no program, only the header's first struct as its export type.
   * `header` must then be unset.
   */
  headerOnly?: boolean;
  /** Also log every command line and clang's warnings. */
  verbose?: boolean;
  /** Progress sink; default: stderr when `verbose`, else silent. */
  log?: (line: string) => void;
}

/** What a successful build wrote. */
export interface BuildResult {
  packagePath: string;
  /** `<outDir>/package.msgpack`: the same package in the MessagePack form. */
  msgpackPath: string;
  objectPath: string;
  package: PackageJson;
  /** Bytes of the stripped object, of package.json and of package.msgpack. */
  sizes: { object: number; json: number; msgpack: number };
  /** What the user should know although the build succeeded (one line each). */
  warnings: string[];
}

/**
 * Compiles a libbpf-style `prog.bpf.c` (and optional event header) into a package:
 * `<outDir>/prog.bpf.o` (BTF kept, DWARF stripped) and `<outDir>/package.json` with the
 * metadata of DESIGN.md section 3. vmlinux.h is provided from the running kernel's BTF.
 * Needs clang, llvm-strip, libbpf headers, and (for vmlinux.h) bpftool and
 * /sys/kernel/btf/vmlinux; no root, no kernel access beyond reading BTF.
 * @throws CompileError with a one-line message; `.diagnostics` holds clang's stderr.
 * @example
 *   const r = await build({ source: "bootstrap.bpf.c", header: "bootstrap.h" });
 *   console.log(r.packagePath, r.sizes.json);
 */
export async function build(opts: BuildOptions): Promise<BuildResult> {
  const log: Log = opts.log ?? (opts.verbose ? (l) => process.stderr.write(`${l}\n`) : () => {});
  const cmdLog = opts.verbose ? log : undefined;
  const source = inputFile(opts.source, "source");
  if (opts.headerOnly && opts.header !== undefined) {
    throw new CompileError("input", `--header-only takes one header, not also ${opts.header}`);
  }
  const header = opts.headerOnly ? source : opts.header === undefined ? undefined : inputFile(opts.header, "header");
  const outDir = resolve(opts.outDir ?? dirname(source));

  const clang = findTool("clang", { explicit: opts.clang });
  const llvmStrip = findTool("llvm-strip", { nearClang: clang });
  const flags = ["-target", "bpf", `-D__TARGET_ARCH_${targetArch()}`, ...(opts.cflags ?? [])];

  // A missing vmlinux.h only matters if the program includes it: keep the reason for then.
  let vmlinux: VmlinuxHeader | undefined;
  let vmlinuxError: CompileError | undefined;
  try {
    vmlinux = await ensureVmlinuxHeader({ log: cmdLog });
    log(vmlinux.reused ? `using cached ${vmlinux.path}` : `generated ${vmlinux.path}`);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    vmlinuxError = e;
    log(`no vmlinux.h: ${e.message}`);
  }
  const includeArgs = [
    `-I${dirname(source)}`,
    ...(vmlinux ? [`-I${vmlinux.dir}`] : []),
    `-I${ensureLibbpfCompat()}`,
    ...(await hostIncludeDirs(clang, cmdLog)).flatMap((d) => ["-idirafter", d]),
  ];

  const warnings: string[] = [];
  const structName = header ? await exportStructOf({ header, clang, flags, includeArgs, vmlinux, log: cmdLog }) : undefined;
  if (header && structName === undefined) warnings.push(`header ${basename(header)} defines no named struct: the package exports no event type (events print as hex)`);
  const exported = header && structName ? { path: header, exportStruct: structName } : undefined;
  if (exported) log(`exporting struct ${exported.exportStruct} from ${basename(exported.path)}`);

  const objectName = objectFileName(source);
  log(`compiling ${basename(source)}`);
  const object = await compileProgram({
    clang,
    llvmStrip,
    source,
    header: exported,
    objectName,
    flags,
    includeArgs,
    vmlinuxError,
    log: cmdLog,
  });
  const meta = describeObject(object, { objName: objNameFromPath(objectName), exportStruct: exported?.exportStruct });
  // Doc comments (`@sample`/`@intepreter` on maps, `@cmdarg` on globals, `@brief` on LICENSE) come from clang's AST of the program.
  const userDirs = [dirname(source), ...(header ? [dirname(header)] : [])];
  const decls = await programDeclarations({ source, clang, flags, includeArgs, vmlinux, log: cmdLog }, userDirs);
  meta.bpf_skel.maps = withMapOptions(withMapSamples(meta.bpf_skel.maps ?? [], decls), decls);
  meta.bpf_skel.data_sections = withVariableDocs(meta.bpf_skel.data_sections, decls);
  const doc = programDoc(decls);
  if (doc) meta.bpf_skel.doc = doc;
  let pkg: PackageJson;
  try {
    pkg = writePackageJson(object, meta);
  } catch (cause) {
    throw new CompileError("output", `cannot encode the package: ${(cause as Error).message}`, { cause });
  }
  const json = JSON.stringify(pkg);
  const msgpack = writePackageMsgpack(pkg);

  const objectPath = join(outDir, objectName);
  const packagePath = join(outDir, "package.json");
  const msgpackPath = join(outDir, "package.msgpack");
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileAtomic(objectPath, object);
    writeFileAtomic(packagePath, json);
    writeFileAtomic(msgpackPath, msgpack);
  } catch (cause) {
    throw new CompileError("output", `cannot write the package to ${outDir}: ${(cause as Error).message}`, { cause });
  }
  log(`wrote ${packagePath} (${Buffer.byteLength(json)} bytes), ${msgpackPath} (${msgpack.length} bytes) and ${objectPath} (${object.length} bytes)`);
  const sizes = { object: object.length, json: Buffer.byteLength(json), msgpack: msgpack.length };
  return { packagePath, msgpackPath, objectPath, package: pkg, sizes, warnings };
}

/** Absolute path of an input that must be an existing regular file. */
function inputFile(path: string, what: "source" | "header"): string {
  const abs = resolve(path);
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw new CompileError("input", `${what} ${path} does not exist`);
  }
  if (!isFile) throw new CompileError("input", `${what} ${path} is not a regular file`);
  return abs;
}
