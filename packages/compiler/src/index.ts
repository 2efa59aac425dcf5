/**
 * @module @eunomia/compiler
 *
 * `ecli build` as a library: compiles a libbpf-style eBPF program (`prog.bpf.c`, plus an
 * optional header whose first struct is the event type) with clang into a BPF object,
 * provides `vmlinux.h` from the running kernel's BTF (cached), and writes the
 * self-describing `package.json` whose metadata is read back from the object's BTF with
 * `@eunomia/decoder`. Runs clang, llvm-strip and bpftool as child processes; never
 * touches the kernel beyond reading /sys/kernel/btf/vmlinux.
 *
 * @example
 *   import { build, CompileError } from "@eunomia/compiler";
 *   try {
 *     const r = await build({ source: "bootstrap.bpf.c", header: "bootstrap.h" });
 *     console.log(`wrote ${r.packagePath}`);
 *   } catch (e) {
 *     if (e instanceof CompileError) console.error(`${e.message}\n${e.diagnostics}`);
 *   }
 */
export { build, type BuildOptions, type BuildResult } from "./build.ts";
export { CompileError, type CompileStage } from "./errors.ts";
export { EUNOMIA_VERSION } from "./version.ts";
export { describeObject } from "./describe-object.ts";
export { findExportStruct, type ExportHeaderOptions } from "./export-header.ts";
export { firstDefinedStruct } from "./clang-ast.ts";
export { declarationDocs, variableDoc, type DeclarationDoc, type DocComment, type DocCommand } from "./doc-comments.ts";
export { programDeclarations, sourceAst, type SourceAstOptions } from "./source-ast.ts";
export { parseSample, withMapSamples, type SampleConfig, type SampleSite } from "./map-samples.ts";
export { parseCmdarg, withVariableDocs, type CmdargSite } from "./variable-docs.ts";
export { programDoc } from "./program-doc.ts";
export { withMapOptions } from "./map-options.ts";
export { ensureLibbpfCompat } from "./libbpf-compat.ts";
export { kfuncPrototypes } from "./kfunc-prototypes.ts";
export { ensureVmlinuxHeader, KERNEL_BTF_PATH, type VmlinuxHeader, type VmlinuxOptions } from "./vmlinux-header.ts";
export { defaultCacheDir } from "./cache-dir.ts";
export { findTool, type ToolKind } from "./find-tool.ts";
export { objNameFromPath, objectFileName } from "./obj-name.ts";
export { internalMapName } from "./internal-maps.ts";
export { DUMMY_PREFIX } from "./wrapper-unit.ts";
export { buildWasm, type BuildWasmOptions, type BuildWasmResult } from "./wasm/build-wasm.ts";
