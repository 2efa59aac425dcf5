/**
 * A WebAssembly module upload (wasm-bpf) checked before it runs as a task: it compiles,
 * imports only what the host provides, exports what a WASI command needs, and the
 * request asks nothing a module cannot do (JSON output, attach options).
 */
import { ApiError } from "./api-error.ts";
import type { TaskRequest } from "./task-runner.ts";

/** The `wasm_bpf` host functions (packages/loader/src/wasm/bpf-host.ts). */
const HOST_FUNCTIONS = new Set([
  "wasm_load_bpf_object", "wasm_attach_bpf_program", "wasm_bpf_map_fd_by_name",
  "wasm_bpf_buffer_poll", "wasm_bpf_map_operate", "wasm_close_bpf_object",
]);

/** The module's argv[0]: the server never sees the file name. */
export const MODULE_ARGV0 = "app.wasm";

/** What a module task runs. */
export interface WasmPlan {
  bytes: Uint8Array;
  /** argv, argv[0] included. */
  args: string[];
}

function compile(bytes: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    throw new ApiError(422, `not a valid WebAssembly module: ${(err as Error).message.split("\n")[0].replace(/ \(evaluating .*\)$/, "")}`);
  }
}

/**
 * Checks a module upload and the request around it.
 * @throws ApiError 400 for JSON mode or attach options, 422 for a module that cannot run.
 */
export function planWasm(bytes: Uint8Array, request: TaskRequest): WasmPlan {
  if (request.mode === "json") throw new ApiError(400, "JSON output (-j, mode=json) does not apply to a WebAssembly module: it prints its own output");
  if (request.attachArgs.length > 0) {
    throw new ApiError(400, `attach options (${request.attachArgs[0]}) do not apply to a WebAssembly module: it attaches its programs itself`);
  }
  const module = compile(bytes);
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === "wasi_snapshot_preview1" || (imp.module === "wasm_bpf" && HOST_FUNCTIONS.has(imp.name))) continue;
    throw new ApiError(422, `the module imports ${imp.module}.${imp.name}, which ecli does not provide`);
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get("_start") !== "function") throw new ApiError(422, "the module exports no _start function (build it as a WASI command)");
  if (exports.get("memory") !== "memory") throw new ApiError(422, "the module exports no memory");
  return { bytes, args: [MODULE_ARGV0, ...request.args] };
}
