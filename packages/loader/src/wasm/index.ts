/**
 * WebAssembly user space for eBPF programs (wasm-bpf): run a WASI module with the
 * `wasm_bpf` host ABI. See run-wasm-module.ts.
 */
export { isWasmModule, runWasmModule, WASM_MAGIC, type WasmRunOptions } from "./run-wasm-module.ts";
export { WasmError } from "./errors.ts";
export type { OutputSink } from "./wasi.ts";
