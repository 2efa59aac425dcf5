import { describe, expect, test } from "bun:test";
import { ApiError } from "./api-error.ts";
import type { TaskRequest } from "./task-runner.ts";
import { planWasm } from "./wasm-plan.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]) => [id, body.length, ...body];
/** A module with one () -> () function `_start`, exported with one page of memory, importing `imports`. */
function module(imports: [string, string][] = [], exportStart = true): Uint8Array {
  const types = section(1, [0x01, 0x60, 0x00, 0x00]);
  const imps = section(2, [imports.length, ...imports.flatMap(([m, n]) => [...name(m), ...name(n), 0x00, 0x00])]);
  const funcs = section(3, [0x01, 0x00]);
  const memory = section(5, [0x01, 0x00, 0x01]);
  const start = exportStart ? [...name("_start"), 0x00, imports.length] : [];
  const exports = section(7, [exportStart ? 2 : 1, ...name("memory"), 0x02, 0x00, ...start]);
  const code = section(10, [0x01, 0x02, 0x00, 0x0b]);
  return new Uint8Array([...HEADER, ...types, ...(imports.length ? imps : []), ...funcs, ...memory, ...exports, ...code]);
}
const request = (over: Partial<TaskRequest> = {}): TaskRequest => ({ name: "", mode: "text", args: [], attachArgs: [], ...over });

describe("planWasm", () => {
  test("a usable module: its argv is app.wasm and the request's args", () => {
    const bytes = module([["wasi_snapshot_preview1", "fd_write"], ["wasm_bpf", "wasm_load_bpf_object"]]);
    expect(planWasm(bytes, request({ args: ["-p", "42"] }))).toEqual({ bytes, args: ["app.wasm", "-p", "42"] });
  });

  test("what a module cannot do is 400; a module that cannot run is 422", () => {
    const cases: [Uint8Array, TaskRequest, ApiError][] = [
      [module(), request({ mode: "json" }), new ApiError(400, "JSON output (-j, mode=json) does not apply to a WebAssembly module: it prints its own output")],
      [module(), request({ attachArgs: ["--iface", "lo"] }), new ApiError(400, "attach options (--iface) do not apply to a WebAssembly module: it attaches its programs itself")],
      [module([["env", "abort"]]), request(), new ApiError(422, "the module imports env.abort, which ecli does not provide")],
      [module([["wasm_bpf", "nope"]]), request(), new ApiError(422, "the module imports wasm_bpf.nope, which ecli does not provide")],
      [module([], false), request(), new ApiError(422, "the module exports no _start function (build it as a WASI command)")],
    ];
    for (const [bytes, req, error] of cases) {
      expect(() => planWasm(bytes, req)).toThrow(error);
      try {
        planWasm(bytes, req);
      } catch (err) {
        expect((err as ApiError).status).toBe(error.status);
      }
    }
  });

  test("bytes that do not compile: 422 with the compiler's reason, without JavaScriptCore's suffix", () => {
    expect(() => planWasm(new Uint8Array([...HEADER, 0x01, 0x10]), request()))
      .toThrow(new ApiError(422, "not a valid WebAssembly module: WebAssembly.Module doesn't parse at byte 10: Type section of size 16 would overflow Module's size"));
  });
});
