/** Errors of a WebAssembly module run: each message is one line a user can act on. */

/** The module did something the host refuses (a bad pointer, a trap, a missing import); the run ends. */
export class WasmError extends Error {
  override readonly name = "WasmError";
}

/** Thrown by `proc_exit` to unwind the module's stack; carries the exit code, not an error. */
export class WasmExit extends Error {
  override readonly name = "WasmExit";
  constructor(readonly code: number) {
    super(`the module exited with code ${code}`);
  }
}
