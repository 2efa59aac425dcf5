/**
 * Runs a wasm-bpf module: a WASI command (`_start`) that loads, attaches and polls
 * eBPF objects through the `wasm_bpf` imports. Where the runtime has JSPI (WebAssembly
 * stack switching, as Bun does), the module is suspended while it waits for events or
 * sleeps, so the event loop keeps running (signals, timers, a server's other work);
 * without it the waits block the thread.
 */
import { writeSync } from "node:fs";
import { BpfHost } from "./bpf-host.ts";
import { WasmError, WasmExit } from "./errors.ts";
import { GuestMemory } from "./guest-memory.ts";
import { Interruption } from "./interruption.ts";
import { GrantedFiles } from "./wasi-files.ts";
import { wasiImportsFor, type OutputSink } from "./wasi.ts";

/** The first four bytes of every WebAssembly module. */
export const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d]);

/** True when `bytes` start with the WebAssembly magic `\0asm`. */
export function isWasmModule(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

/** Options of {@link runWasmModule}. */
export interface WasmRunOptions {
  /** The module's argv; argv[0] is its name. Default: ["app.wasm"]. */
  args?: string[];
  /** The module's environment. Default: empty (nothing of the host leaks in). */
  env?: Record<string, string>;
  /** Receives what the module writes to fd 1; default: this process's stdout. */
  stdout?: OutputSink;
  /** Receives what the module writes to fd 2; default: this process's stderr. */
  stderr?: OutputSink;
  /** A host directory the module may open files in (preopened as fd 3 under this name). */
  grantDir?: string;
  /** Aborting makes the module's next buffer poll or sleep return -EINTR. */
  signal?: AbortSignal;
  /** After this many ms, buffer polls and sleeps return -EINTR as on Ctrl-C. */
  durationMs?: number;
  /** Host messages (a failed load, an unknown handle), one line each; default: stderr as "ecli: wasm: ...". */
  warn?: (line: string) => void;
  /** Called after each program the module attaches, with the program's name. */
  onAttach?: (program: string) => void;
}


function fdSink(fd: number): OutputSink {
  return (bytes) => {
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(fd, bytes, at, bytes.length - at);
      } catch (err) {
        // A non-blocking pipe that is full: wait for the reader (WASI writes are synchronous).
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        Bun.sleepSync(1);
      }
    }
  };
}

/** JSPI, where the runtime offers it (not yet in lib.dom's types). */
interface Jspi {
  Suspending: new (fn: (...args: never[]) => unknown) => unknown;
  promising: (fn: unknown) => (...args: unknown[]) => Promise<unknown>;
}

function jspi(): Jspi | undefined {
  const w = WebAssembly as unknown as Partial<Jspi>;
  return typeof w.Suspending === "function" && typeof w.promising === "function" ? (w as Jspi) : undefined;
}

function compile(bytes: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    throw new WasmError(`not a valid WebAssembly module: ${(err as Error).message}`);
  }
}

function checkImports(module: WebAssembly.Module, abi: Record<string, unknown>): void {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === "wasi_snapshot_preview1") continue;
    if (imp.module !== "wasm_bpf" || !(imp.name in abi)) {
      throw new WasmError(`the module imports ${imp.module}.${imp.name}, which ecli does not provide`);
    }
  }
}

/** A trap or host failure as one line. */
function describeTrap(err: unknown): WasmError {
  if (err instanceof WasmError) return err;
  // JavaScriptCore appends " (evaluating '...')", which names our code, not the module's.
  if (err instanceof WebAssembly.RuntimeError) return new WasmError(`the module trapped: ${err.message.replace(/ \(evaluating .*\)$/, "")}`);
  if (err instanceof RangeError && /call stack/i.test(err.message)) return new WasmError("the module trapped: call stack exhausted");
  const e = err as Error;
  return new WasmError(`the module failed: ${e?.message?.split("\n")[0] ?? String(err)}`);
}

/**
 * Instantiates `bytes` with the WASI subset and the wasm-bpf ABI, runs its `_start`,
 * and resolves to its exit code (0 when `_start` returns). Every BPF object the module
 * loaded is detached and closed on the way out, whatever happened.
 * Throws {@link WasmError} (one line) for an invalid module, a missing import, a trap,
 * or a pointer/length outside the module's memory. Needs CAP_BPF for the BPF calls.
 *
 * @example
 * const code = await runWasmModule(await Bun.file("app.wasm").bytes(), { args: ["app.wasm", "-v"] });
 */
export async function runWasmModule(bytes: Uint8Array, opts: WasmRunOptions = {}): Promise<number> {
  const stackSwitching = jspi();
  const module = compile(bytes);
  const interruption = new Interruption(opts.signal, opts.durationMs);
  let memory: GuestMemory | undefined;
  let table: WebAssembly.Table | undefined;
  const memoryOf = () => {
    if (!memory) throw new WasmError("the module called the host before it was instantiated");
    return memory;
  };
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`ecli: wasm: ${line}\n`));
  let files: GrantedFiles;
  try {
    files = new GrantedFiles(opts.grantDir);
  } catch (err) {
    throw new WasmError(`cannot grant directory ${opts.grantDir}: ${(err as Error).message.split("\n")[0]}`);
  }
  using host = new BpfHost({ memory: memoryOf, table: () => table, interruption, warn, onAttach: opts.onAttach, suspending: stackSwitching !== undefined });
  using _files = { [Symbol.dispose]: () => files.closeAll() };
  const abi = host.imports();
  checkImports(module, abi);
  const wasi = wasiImportsFor(module, {
    args: opts.args ?? ["app.wasm"],
    env: opts.env ?? {},
    stdout: opts.stdout ?? fdSink(1),
    stderr: opts.stderr ?? fdSink(2),
    files,
    interruption,
    memory: memoryOf,
    canSuspend: () => stackSwitching !== undefined && !host.inCallback,
  });
  // The two imports that wait may suspend the module.
  if (stackSwitching) {
    abi.wasm_bpf_buffer_poll = new stackSwitching.Suspending(abi.wasm_bpf_buffer_poll) as typeof abi.wasm_bpf_buffer_poll;
    if (wasi.poll_oneoff) wasi.poll_oneoff = new stackSwitching.Suspending(wasi.poll_oneoff) as typeof wasi.poll_oneoff;
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wasi,
      wasm_bpf: abi,
    });
  } catch (err) {
    throw new WasmError(`cannot instantiate the module: ${(err as Error).message}`);
  }
  const exported = instance.exports;
  if (!(exported.memory instanceof WebAssembly.Memory)) throw new WasmError("the module exports no memory");
  memory = new GuestMemory(exported.memory);
  table = exported.__indirect_function_table instanceof WebAssembly.Table ? exported.__indirect_function_table : undefined;
  const start = exported._start;
  if (typeof start !== "function") throw new WasmError("the module exports no _start function (build it as a WASI command)");
  try {
    if (stackSwitching) await stackSwitching.promising(start)();
    else (start as () => void)();
    return 0;
  } catch (err) {
    if (err instanceof WasmExit) return err.code;
    throw describeTrap(err);
  }
}
