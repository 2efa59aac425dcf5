/**
 * Which kind of task an upload is, told by its content (never by a name): the JSON or
 * MessagePack form of a package, or a WebAssembly module (`\0asm`).
 */
import { isWasmModule } from "@eunomia/loader";
import { PackageError, readPackage } from "@eunomia/loader/package";
import { packageForm } from "../package-input.ts";
import { ApiError } from "./api-error.ts";
import { guardInflatedSize } from "./inflate-guard.ts";
import { PackageRunner } from "./package-runner.ts";
import { planPackage } from "./package-plan.ts";
import type { RunnerFactory, TaskRequest } from "./task-runner.ts";
import { MODULE_ARGV0, planWasm } from "./wasm-plan.ts";
import { WasmRunner } from "./wasm-runner.ts";

/** The kinds of task the server runs. */
export type TaskKind = "package" | "wasm";

/**
 * Validates an upload and returns what makes its runner. Nothing reaches libbpf here.
 * @throws ApiError 422 for anything that is neither a valid package nor a usable module, 400 for bad flags.
 */
export function runnerFactory(bytes: Uint8Array, request: TaskRequest): { factory: RunnerFactory; defaultName: string; kind: TaskKind } {
  if (bytes.length === 0) throw new ApiError(422, "the request body is empty: send the package's bytes");
  if (isWasmModule(bytes)) {
    const plan = planWasm(bytes, request);
    return { factory: (sink) => new WasmRunner(plan, sink), defaultName: MODULE_ARGV0, kind: "wasm" };
  }
  if (packageForm(bytes) === "elf") throw new ApiError(422, "a plain BPF object is not a package: send its package (ecli client converts it itself)");
  guardInflatedSize(bytes);
  let pkg;
  try {
    pkg = readPackage(bytes);
  } catch (err) {
    const why = err instanceof PackageError ? err.message : `not a package (${(err as Error).message})`;
    throw new ApiError(422, why.split("\n")[0]);
  }
  const plan = planPackage(pkg, request);
  return { factory: (sink) => new PackageRunner(plan, sink), defaultName: pkg.meta.bpf_skel.obj_name, kind: "package" };
}
