/**
 * `ecli run app.wasm [args...]`: runs a WebAssembly module (wasm-bpf) instead of a
 * package. The arguments after the module become its argv; Ctrl-C, SIGTERM or
 * --duration make its next buffer poll return -EINTR, and every BPF object it loaded is
 * detached and closed whatever happens. The exit code is the module's.
 */
import { runWasmModule } from "@eunomia/loader";
import { UsageError } from "./cli-error.ts";

/** The parts of `ecli run`'s options a module run uses. */
export interface WasmRunArgs {
  source: string;
  programArgs: string[];
  durationMs?: number;
  wasmDir?: string;
  mode?: string;
  verbose?: boolean;
  printk?: boolean;
}

/** The module's argv[0]: its file name, as a shell would pass it. */
function moduleName(source: string): string {
  if (source === "-") return "app.wasm";
  return source.split("/").pop() || "app.wasm";
}

/** -v: says on stderr when each program is attached. */
function onAttach(): (program: string) => void {
  let count = 0;
  return (program) => process.stderr.write(`ecli: wasm: ${++count} programs attached (${program}) ${performance.now().toFixed(1)} ms after start\n`);
}

/** Runs the module in `bytes`; resolves to its exit code. `stopped`: Ctrl-C/SIGTERM/--duration. */
export async function runWasm(bytes: Uint8Array, args: WasmRunArgs, stopped: AbortSignal): Promise<number> {
  if (args.mode === "json") throw new UsageError("-j does not apply to a WebAssembly module: it prints its own output");
  // A pending timer keeps the event loop from spinning while signal handlers are registered.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    return await runWasmModule(bytes, {
      args: [moduleName(args.source), ...args.programArgs],
      grantDir: args.wasmDir,
      signal: stopped,
      durationMs: args.durationMs,
      onAttach: args.verbose ? onAttach() : undefined,
    });
  } finally {
    clearInterval(keepAlive);
  }
}
