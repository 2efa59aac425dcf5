/**
 * The wasm-bpf host ABI, import module `wasm_bpf`, as modules built with the original
 * wasm-bpf toolchain call it (i32 pointers into the module's memory, i64 object handles):
 *
 *   i64 wasm_load_bpf_object(i32 obj_buf, i32 obj_buf_sz)            handle, 0 on failure
 *   i32 wasm_attach_bpf_program(i64 obj, i32 name, i32 attach_target)  0 or negative errno
 *   i32 wasm_bpf_map_fd_by_name(i64 obj, i32 name)                     fd or negative errno
 *   i32 wasm_bpf_buffer_poll(i64 obj, i32 fd, i32 sample_func, i32 ctx, i32 data,
 *                            i32 max_size, i32 timeout_ms)             events, or negative errno
 *   i32 wasm_bpf_map_operate(i32 fd, i32 cmd, i32 key, i32 value, i32 next_key, i64 flags)
 *   i32 wasm_close_bpf_object(i64 obj)
 *
 * Negative errno values are in WASI's numbering (what the module's <errno.h> says).
 * A module reaches only the objects it loaded and their maps. A pointer or length
 * outside its memory ends the run with a {@link WasmError}; an unknown handle or fd is
 * an errno answer plus a warning line.
 */
import { readFileSync } from "node:fs";
import type { BpfMap } from "../bpf-map.ts";
import type { BpfObject } from "../bpf-object.ts";
import { LibbpfError } from "../errors.ts";
import { libbpf } from "../ffi/libbpf.ts";
import { openObject } from "../open-object.ts";
import { openBufferPoll, type BufferPoll } from "./buffer-poll.ts";
import { WasmError } from "./errors.ts";
import { i32, u32, type GuestMemory } from "./guest-memory.ts";
import type { Interruption } from "./interruption.ts";
import { wasiError } from "./wasi-errno.ts";
import { Errno } from "../errno.ts";

const { EINTR, ENOENT, EBADF, EINVAL, ENODEV } = Errno;

// How long a module may consume events without the event loop getting a turn.
const YIELD_EVERY_MS = 50;

const MAP_LOOKUP = 1;
const MAP_UPDATE = 2;
const MAP_DELETE = 3;
const MAP_NEXT_KEY = 4;

type Arg = number | bigint;

/** One object the module loaded. */
interface LoadedObject {
  obj: BpfObject;
  maps: Map<number, BpfMap>;
  buffers: Map<number, BufferPoll>;
}

/** What the ABI needs from its run. */
export interface BpfHostContext {
  memory: () => GuestMemory;
  /** The module's `__indirect_function_table` (callbacks of buffer_poll). */
  table: () => WebAssembly.Table | undefined;
  interruption: Interruption;
  /** One line for the user (load failures, unknown handles). */
  warn: (line: string) => void;
  onAttach?: (program: string) => void;
  /** The module runs under JSPI: waits may return Promises (wasm_bpf_buffer_poll is a Suspending import). */
  suspending: boolean;
}

/** The objects of one module run and the `wasm_bpf` imports that act on them. Close it to release all. */
export class BpfHost implements Disposable {
  readonly #ctx: BpfHostContext;
  readonly #objects = new Map<bigint, LoadedObject>();
  #nextHandle = 1n;
  #callbackDepth = 0;
  #lastYield = performance.now();

  constructor(ctx: BpfHostContext) {
    this.#ctx = ctx;
  }

  /** How many objects are open now. */
  get openObjects(): number {
    return this.#objects.size;
  }

  /** The import object of module `wasm_bpf`. */
  imports(): Record<string, (...args: Arg[]) => number | bigint | Promise<number>> {
    return {
      wasm_load_bpf_object: (buf, size) => this.load(u32(buf), i32(size)),
      wasm_attach_bpf_program: (h, name, target) => this.attach(BigInt(h), u32(name), u32(target)),
      wasm_bpf_map_fd_by_name: (h, name) => this.mapFd(BigInt(h), u32(name)),
      wasm_bpf_buffer_poll: (h, fd, fn, ctx, data, max, timeout) =>
        this.poll(BigInt(h), i32(fd), u32(fn), u32(ctx), u32(data), i32(max), i32(timeout)),
      wasm_bpf_map_operate: (fd, cmd, key, value, next, flags) => this.mapOperate(i32(fd), i32(cmd), u32(key), u32(value), u32(next), BigInt(flags)),
      wasm_close_bpf_object: (h) => this.closeObject(BigInt(h)),
    };
  }

  /** Opens and loads the ELF at (buf, size); returns the handle, 0n on failure (with a warning). */
  load(buf: number, size: number): bigint {
    const call = "wasm_load_bpf_object";
    if (size <= 0) throw new WasmError(`${call}: object size ${size} is not a positive length`);
    const elf = this.#ctx.memory().bytes(buf, size, "object", call);
    let obj: BpfObject | undefined;
    try {
      // Named so its internal maps read "wasm_bpf.rodata" etc. in bpftool.
      obj = openObject(elf, { name: "wasm_bpf" });
      obj.load();
    } catch (err) {
      obj?.close();
      this.#ctx.warn(`${call}: ${(err as Error).message.split("\n")[0]}`);
      return 0n;
    }
    const maps = new Map<number, BpfMap>();
    for (const info of obj.maps()) {
      const map = obj.map(info.name);
      maps.set(map.fd, map);
    }
    const handle = this.#nextHandle++;
    this.#objects.set(handle, { obj, maps, buffers: new Map() });
    return handle;
  }

  /** Attaches program `name` (attach_target: an interface name for XDP, else ignored). */
  attach(handle: bigint, namePtr: number, targetPtr: number): number {
    const call = "wasm_attach_bpf_program";
    const loaded = this.#object(handle, call);
    if (!loaded) return wasiError(EINVAL);
    const mem = this.#ctx.memory();
    const name = mem.cString(namePtr, "program name", call);
    const target = targetPtr === 0 ? "" : mem.cString(targetPtr, "attach target", call);
    try {
      const section = loaded.obj.programs().find((p) => p.name === name)?.section ?? "";
      if (target !== "" && section.startsWith("xdp")) {
        const ifindex = interfaceIndex(target);
        if (ifindex === undefined) {
          this.#ctx.warn(`${call}: no network interface named ${JSON.stringify(target)}`);
          return wasiError(ENODEV);
        }
        loaded.obj.attach(name, { xdp: { ifindex } });
      } else {
        loaded.obj.attach(name);
      }
      this.#ctx.onAttach?.(name);
      return 0;
    } catch (err) {
      this.#ctx.warn(`${call}: ${(err as Error).message.split("\n")[0]}`);
      return wasiError(errnoOf(err));
    }
  }

  /** The fd of map `name` of the object. */
  mapFd(handle: bigint, namePtr: number): number {
    const call = "wasm_bpf_map_fd_by_name";
    const loaded = this.#object(handle, call);
    if (!loaded) return wasiError(EINVAL);
    const name = this.#ctx.memory().cString(namePtr, "map name", call);
    for (const [fd, map] of loaded.maps) if (map.name === name) return fd;
    this.#ctx.warn(`${call}: the object has no map named ${JSON.stringify(name)}`);
    return wasiError(ENOENT);
  }

  /**
   * Waits up to `timeoutMs` for records of ring/perf buffer `fd`, copies each (cut to
   * `maxSize`) to `data` and calls the module's table entry `sampleFunc` as
   * `int fn(void *ctx, void *data, size_t size)`. Returns the number of records, or
   * -EINTR (WASI's 27) once Ctrl-C (or the run's AbortSignal) asked the run to stop.
   * With JSPI the wait is a Promise (the module is suspended, the event loop runs).
   */
  poll(handle: bigint, fd: number, sampleFunc: number, ctx: number, data: number, maxSize: number, timeoutMs: number): number | Promise<number> {
    const call = "wasm_bpf_buffer_poll";
    const mem = this.#ctx.memory();
    if (maxSize <= 0) throw new WasmError(`${call}: max_size ${maxSize} is not a positive length`);
    mem.bytes(data, maxSize, "data buffer", call);
    const loaded = this.#object(handle, call);
    if (!loaded) return wasiError(EINVAL);
    const map = loaded.maps.get(fd);
    if (!map) {
      this.#ctx.warn(`${call}: fd ${fd} is not a map of object ${handle}`);
      return wasiError(ENOENT);
    }
    let buffer = loaded.buffers.get(fd);
    if (!buffer) {
      buffer = openBufferPoll(fd, map.type, this.#ctx.interruption);
      if (!buffer) {
        this.#ctx.warn(`${call}: map ${map.name} is neither a ring buffer nor a perf event array`);
        return wasiError(EINVAL);
      }
      loaded.buffers.set(fd, buffer);
    }
    const callback = this.#callback(sampleFunc, call);
    const deliver = (record: Uint8Array) => {
      const size = Math.min(record.length, maxSize);
      mem.write(data, size === record.length ? record : record.subarray(0, size), "data buffer", call);
      this.#callbackDepth++;
      try {
        callback(ctx, data, size);
      } finally {
        this.#callbackDepth--;
      }
    };
    const interruption = this.#ctx.interruption;
    if (!this.#ctx.suspending || this.#callbackDepth > 0) {
      const result = buffer.poll(timeoutMs, deliver);
      return result === "interrupted" ? wasiError(EINTR) : result;
    }
    const ready = buffer.drain(deliver);
    if (ready > 0) {
      // A steady stream never waits: let the event loop (signals, timers) in now and then.
      if (performance.now() - this.#lastYield < YIELD_EVERY_MS) return ready;
      return new Promise((resolve) => setImmediate(() => {
        this.#lastYield = performance.now();
        resolve(ready);
      }));
    }
    const polled = buffer;
    return (async () => {
      const waited = await interruption.waitAsync(polled.wait(timeoutMs), timeoutMs);
      this.#lastYield = performance.now();
      if (waited === "interrupted") return wasiError(EINTR);
      return waited === "ready" ? polled.drain(deliver) : 0;
    })();
  }

  /** True while the host is inside one of the module's callbacks (where it cannot suspend). */
  get inCallback(): boolean {
    return this.#callbackDepth > 0;
  }

  /** Lookup (1), update (2), delete (3) or get-next-key (4) on a map of the module's objects. */
  mapOperate(fd: number, cmd: number, keyPtr: number, valuePtr: number, nextKeyPtr: number, flags: bigint): number {
    const call = "wasm_bpf_map_operate";
    const map = this.#map(fd);
    if (!map) {
      this.#ctx.warn(`${call}: fd ${fd} is not a map of an object this module loaded`);
      return wasiError(EBADF);
    }
    const mem = this.#ctx.memory();
    const key = () => mem.bytes(keyPtr, map.keySize, "key", call).slice();
    try {
      switch (cmd) {
        case MAP_LOOKUP: {
          const out = mem.bytes(valuePtr, map.valueSize, "value", call);
          const value = map.lookup(key());
          if (value === undefined) return wasiError(ENOENT);
          out.set(value);
          return 0;
        }
        case MAP_UPDATE:
          map.update(key(), mem.bytes(valuePtr, map.valueSize, "value", call).slice(), Number(flags));
          return 0;
        case MAP_DELETE:
          return map.delete(key()) ? 0 : wasiError(ENOENT);
        case MAP_NEXT_KEY: {
          // A null key asks for the first key.
          const current = keyPtr === 0 ? null : key();
          const out = mem.bytes(nextKeyPtr, map.keySize, "next_key", call);
          const next = new Uint8Array(map.keySize);
          const rc = libbpf().bpf_map_get_next_key(fd, current, next);
          if (rc < 0) return wasiError(-rc);
          out.set(next);
          return 0;
        }
        default:
          this.#ctx.warn(`${call}: unknown command ${cmd} (1 lookup, 2 update, 3 delete, 4 next key)`);
          return wasiError(EINVAL);
      }
    } catch (err) {
      if (err instanceof WasmError) throw err;
      return wasiError(errnoOf(err));
    }
  }

  /** Detaches and closes one object. */
  closeObject(handle: bigint): number {
    const loaded = this.#object(handle, "wasm_close_bpf_object");
    if (!loaded) return wasiError(EINVAL);
    this.#objects.delete(handle);
    release(loaded);
    return 0;
  }

  /** Detaches and closes every object the module left open. Idempotent. */
  close(): void {
    for (const loaded of this.#objects.values()) release(loaded);
    this.#objects.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #object(handle: bigint, call: string): LoadedObject | undefined {
    const loaded = this.#objects.get(handle);
    if (!loaded) this.#ctx.warn(`${call}: unknown object handle ${handle}`);
    return loaded;
  }

  #map(fd: number): BpfMap | undefined {
    for (const loaded of this.#objects.values()) {
      const map = loaded.maps.get(fd);
      if (map) return map;
    }
    return undefined;
  }

  #callback(index: number, call: string): (...args: number[]) => unknown {
    const table = this.#ctx.table();
    if (!table) throw new WasmError(`${call}: the module exports no __indirect_function_table (link it with --export-table)`);
    const fn = index < table.length ? table.get(index) : null;
    if (typeof fn !== "function") throw new WasmError(`${call}: sample_func ${index} is not a function in the module's table of ${table.length}`);
    return fn as (...args: number[]) => unknown;
  }
}

function release(loaded: LoadedObject): void {
  for (const buffer of loaded.buffers.values()) buffer[Symbol.dispose]();
  loaded.buffers.clear();
  loaded.obj.close();
}

function errnoOf(err: unknown): number {
  return err instanceof LibbpfError && err.errno > 0 ? err.errno : EINVAL;
}

/** The index of network interface `name`, from sysfs. */
function interfaceIndex(name: string): number | undefined {
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(name)) return undefined;
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
  } catch {
    return undefined;
  }
}
