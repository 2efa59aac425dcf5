import { describe, expect, test } from "bun:test";
import { WasmExit } from "./errors.ts";
import { GuestMemory } from "./guest-memory.ts";
import { Interruption } from "./interruption.ts";
import * as W from "./wasi-constants.ts";
import { GrantedFiles } from "./wasi-files.ts";
import { wasiImports } from "./wasi.ts";

function setup(opts: { args?: string[]; env?: Record<string, string> } = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const written: string[] = [];
  const wasi = wasiImports({
    args: opts.args ?? ["app.wasm"],
    env: opts.env ?? {},
    stdout: (b) => written.push(`1:${new TextDecoder().decode(b)}`),
    stderr: (b) => written.push(`2:${new TextDecoder().decode(b)}`),
    files: new GrantedFiles(),
    interruption: new Interruption(),
    memory: () => new GuestMemory(memory),
  });
  const view = () => new DataView(memory.buffer);
  const put = (at: number, text: string) => new Uint8Array(memory.buffer).set(new TextEncoder().encode(text), at);
  const cstr = (at: number) => {
    const u8 = new Uint8Array(memory.buffer);
    return new TextDecoder().decode(u8.subarray(at, u8.indexOf(0, at)));
  };
  return { memory, wasi, written, view, put, cstr };
}

describe("WASI subset", () => {
  test("args_sizes_get and args_get lay out argv as C strings", () => {
    const { wasi, view, cstr } = setup({ args: ["app.wasm", "-p", "42"] });
    expect(wasi.args_sizes_get(0, 4)).toBe(0);
    expect([view().getUint32(0, true), view().getUint32(4, true)]).toEqual([3, 9 + 3 + 3]);
    expect(wasi.args_get(100, 200)).toBe(0);
    expect([0, 1, 2].map((i) => cstr(view().getUint32(100 + 4 * i, true)))).toEqual(["app.wasm", "-p", "42"]);
  });

  test("environ is empty unless given", () => {
    const { wasi, view, cstr } = setup({ env: { A: "1" } });
    expect(wasi.environ_sizes_get(0, 4)).toBe(0);
    expect([view().getUint32(0, true), view().getUint32(4, true)]).toEqual([1, 4]);
    wasi.environ_get(100, 200);
    expect(cstr(view().getUint32(100, true))).toBe("A=1");
  });

  test("fd_write gathers iovecs to stdout and stderr; other fds are EBADF", () => {
    const { wasi, view, put, written } = setup();
    put(300, "hello ");
    put(320, "world\n");
    view().setUint32(0, 300, true);
    view().setUint32(4, 6, true);
    view().setUint32(8, 320, true);
    view().setUint32(12, 6, true);
    expect(wasi.fd_write(1, 0, 2, 40)).toBe(0);
    expect(view().getUint32(40, true)).toBe(12);
    expect(wasi.fd_write(2, 0, 1, 40)).toBe(0);
    expect(written).toEqual(["1:hello ", "1:world\n", "2:hello "]);
    expect(wasi.fd_write(7, 0, 1, 40)).toBe(W.ERRNO_BADF);
  });

  test("stdio looks like a terminal (line-buffered stdout) and cannot seek; no preopens without a grant", () => {
    const { wasi, view } = setup();
    expect(wasi.fd_fdstat_get(1, 0)).toBe(0);
    expect(view().getUint8(0)).toBe(W.FILETYPE_CHARACTER_DEVICE);
    expect(view().getBigUint64(8, true) & W.RIGHT_FD_SEEK).toBe(0n);
    expect(wasi.fd_seek(1, 0n, 0, 16)).toBe(W.ERRNO_SPIPE);
    expect(wasi.fd_prestat_get(3, 0)).toBe(W.ERRNO_BADF);
    expect(wasi.fd_close(1)).toBe(0);
  });

  test("clocks: realtime near Date.now(), monotonic increasing; unknown clock EINVAL", () => {
    const { wasi, view } = setup();
    expect(wasi.clock_time_get(W.CLOCK_REALTIME, 0n, 0)).toBe(0);
    const ms = Number(view().getBigUint64(0, true) / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThan(1000);
    wasi.clock_time_get(W.CLOCK_MONOTONIC, 0n, 8);
    wasi.clock_time_get(W.CLOCK_MONOTONIC, 0n, 16);
    expect(view().getBigUint64(16, true)).toBeGreaterThanOrEqual(view().getBigUint64(8, true));
    expect(wasi.clock_time_get(9, 0n, 0)).toBe(W.ERRNO_INVAL);
  });

  test("random_get fills the buffer", () => {
    const { wasi, memory } = setup();
    expect(wasi.random_get(1000, 60000)).toBe(0);
    expect(new Uint8Array(memory.buffer, 1000, 60000).some((b) => b !== 0)).toBe(true);
  });

  test("poll_oneoff sleeps for a relative clock subscription", () => {
    const { wasi, view } = setup();
    view().setBigUint64(0, 77n, true); // userdata
    view().setUint8(8, W.EVENTTYPE_CLOCK);
    view().setUint32(16, W.CLOCK_MONOTONIC, true);
    view().setBigUint64(24, 30_000_000n, true); // 30 ms
    const t0 = performance.now();
    expect(wasi.poll_oneoff(0, 100, 1, 200)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(view().getBigUint64(100, true)).toBe(77n);
    expect(view().getUint32(200, true)).toBe(1);
  });

  test("proc_exit unwinds with the code", () => {
    const { wasi } = setup();
    expect(() => wasi.proc_exit(3)).toThrow(new WasmExit(3));
  });
});
