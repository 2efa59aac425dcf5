/**
 * The WASI preview1 subset a module gets: args and environ, clocks, stdout/stderr,
 * `fd_close`/`fd_seek`/`fd_fdstat_get`, `random_get`, `proc_exit`, `poll_oneoff` for
 * sleeping, and files only inside a granted directory. Every other WASI function
 * answers ENOSYS, so a module that merely imports one still instantiates.
 */
import { WasmExit } from "./errors.ts";
import { u32, type GuestMemory } from "./guest-memory.ts";
import type { Interruption } from "./interruption.ts";
import type { GrantedFiles } from "./wasi-files.ts";
import * as W from "./wasi-constants.ts";

/** Where the module's stdout and stderr go: a synchronous sink per stream. */
export type OutputSink = (bytes: Uint8Array) => void;

/** What the WASI layer needs from its run. */
export interface WasiContext {
  args: string[];
  env: Record<string, string>;
  stdout: OutputSink;
  stderr: OutputSink;
  files: GrantedFiles;
  interruption: Interruption;
  /** The module's memory, available once it is instantiated. */
  memory: () => GuestMemory;
  /** True when a wait may suspend the module (JSPI, and not inside one of its callbacks). */
  canSuspend?: () => boolean;
}

type Arg = number | bigint;
type WasiFunction = (...args: Arg[]) => number | Promise<number>;

const encoder = new TextEncoder();
const IOVEC = 8;
const SUBSCRIPTION = 48;
const EVENT = 32;

/** NUL-terminated encodings of strings, and their total size. */
function cStrings(values: string[]): { parts: Uint8Array[]; size: number } {
  const parts = values.map((v) => encoder.encode(`${v}\0`));
  return { parts, size: parts.reduce((n, p) => n + p.length, 0) };
}

/** Writes a list of C strings the way args_get/environ_get do: pointers at `ptrs`, bytes at `buf`. */
function putStrings(mem: GuestMemory, values: string[], ptrs: number, buf: number, call: string): number {
  const { parts, size } = cStrings(values);
  const table = mem.view(ptrs, 4 * parts.length, "pointer array", call);
  const area = mem.bytes(buf, size, "string buffer", call);
  let at = 0;
  parts.forEach((p, i) => {
    table.setUint32(4 * i, buf + at, true);
    area.set(p, at);
    at += p.length;
  });
  return W.ERRNO_SUCCESS;
}

function nowNs(clock: number): bigint | undefined {
  switch (clock) {
    case W.CLOCK_REALTIME: {
      // Date.now() has only milliseconds: add the sub-millisecond part of the monotonic clock.
      return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    }
    case W.CLOCK_MONOTONIC: return process.hrtime.bigint();
    case W.CLOCK_PROCESS_CPUTIME:
    case W.CLOCK_THREAD_CPUTIME: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default: return undefined;
  }
}

/** The import object of module `wasi_snapshot_preview1`. */
export function wasiImports(ctx: WasiContext): Record<string, WasiFunction> {
  const env = Object.entries(ctx.env).map(([k, v]) => `${k}=${v}`);
  const mem = () => ctx.memory();
  const isStdio = (fd: number) => fd >= 0 && fd <= 2;

  const imports: Record<string, WasiFunction> = {
    args_sizes_get(argc, bufSize) {
      const { parts, size } = cStrings(ctx.args);
      mem().view(u32(argc), 4, "argc", "args_sizes_get").setUint32(0, parts.length, true);
      mem().view(u32(bufSize), 4, "size", "args_sizes_get").setUint32(0, size, true);
      return W.ERRNO_SUCCESS;
    },
    args_get: (ptrs, buf) => putStrings(mem(), ctx.args, u32(ptrs), u32(buf), "args_get"),
    environ_sizes_get(count, bufSize) {
      const { parts, size } = cStrings(env);
      mem().view(u32(count), 4, "count", "environ_sizes_get").setUint32(0, parts.length, true);
      mem().view(u32(bufSize), 4, "size", "environ_sizes_get").setUint32(0, size, true);
      return W.ERRNO_SUCCESS;
    },
    environ_get: (ptrs, buf) => putStrings(mem(), env, u32(ptrs), u32(buf), "environ_get"),
    clock_res_get(clock, out) {
      if (nowNs(Number(clock)) === undefined) return W.ERRNO_INVAL;
      mem().view(u32(out), 8, "result", "clock_res_get").setBigUint64(0, 1000n, true);
      return W.ERRNO_SUCCESS;
    },
    clock_time_get(clock, _precision, out) {
      const ns = nowNs(Number(clock));
      if (ns === undefined) return W.ERRNO_INVAL;
      mem().view(u32(out), 8, "result", "clock_time_get").setBigUint64(0, ns, true);
      return W.ERRNO_SUCCESS;
    },
    fd_write(fd, iovs, count, written) {
      const m = mem();
      const n = u32(count);
      const vecs = m.view(u32(iovs), IOVEC * n, "iovec array", "fd_write");
      let total = 0;
      for (let i = 0; i < n; i++) {
        const bytes = m.bytes(vecs.getUint32(IOVEC * i, true), vecs.getUint32(IOVEC * i + 4, true), "buffer", "fd_write");
        if (fd === 1 || fd === 2) {
          try {
            (fd === 1 ? ctx.stdout : ctx.stderr)(bytes);
          } catch (err) {
            // A reader that went away (| head) ends the run as Ctrl-C would.
            if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
            ctx.interruption.stop();
            return W.ERRNO_PIPE;
          }
          total += bytes.length;
        } else {
          const r = ctx.files.write(Number(fd), bytes);
          if ("errno" in r) return r.errno;
          total += r.value;
        }
      }
      m.view(u32(written), 4, "result", "fd_write").setUint32(0, total, true);
      return W.ERRNO_SUCCESS;
    },
    fd_read(fd, iovs, count, read) {
      const m = mem();
      const n = u32(count);
      const vecs = m.view(u32(iovs), IOVEC * n, "iovec array", "fd_read");
      let total = 0;
      // stdin is not given to modules: it reads as empty.
      if (Number(fd) !== 0) {
        for (let i = 0; i < n; i++) {
          const into = m.bytes(vecs.getUint32(IOVEC * i, true), vecs.getUint32(IOVEC * i + 4, true), "buffer", "fd_read");
          const r = ctx.files.read(Number(fd), into);
          if ("errno" in r) return r.errno;
          total += r.value;
          if (r.value < into.length) break;
        }
      }
      m.view(u32(read), 4, "result", "fd_read").setUint32(0, total, true);
      return W.ERRNO_SUCCESS;
    },
    fd_close(fd) {
      const f = Number(fd);
      if (isStdio(f) || ctx.files.isPreopen(f)) return W.ERRNO_SUCCESS;
      return ctx.files.close(f);
    },
    fd_seek(fd, offset, whence, out) {
      const f = Number(fd);
      if (isStdio(f)) return W.ERRNO_SPIPE;
      const r = ctx.files.seek(f, BigInt(offset), Number(whence));
      if ("errno" in r) return r.errno;
      mem().view(u32(out), 8, "result", "fd_seek").setBigUint64(0, r.value, true);
      return W.ERRNO_SUCCESS;
    },
    fd_fdstat_get(fd, out) {
      const f = Number(fd);
      let type: number;
      let rights: bigint;
      if (isStdio(f)) [type, rights] = [W.FILETYPE_CHARACTER_DEVICE, W.RIGHTS_STDIO];
      else if (ctx.files.isPreopen(f)) [type, rights] = [W.FILETYPE_DIRECTORY, W.RIGHTS_ALL];
      else if (ctx.files.isFile(f)) [type, rights] = [W.FILETYPE_REGULAR_FILE, W.RIGHTS_ALL];
      else return W.ERRNO_BADF;
      const v = mem().view(u32(out), 24, "result", "fd_fdstat_get");
      v.setUint8(0, type);
      v.setUint16(2, 0, true);
      v.setBigUint64(8, rights, true);
      v.setBigUint64(16, rights, true);
      return W.ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags: () => W.ERRNO_SUCCESS,
    fd_filestat_get(fd, out) {
      const r = ctx.files.size(Number(fd));
      if ("errno" in r) return r.errno;
      const v = mem().view(u32(out), 64, "result", "fd_filestat_get");
      new Uint8Array(v.buffer, v.byteOffset, 64).fill(0);
      v.setUint8(16, W.FILETYPE_REGULAR_FILE);
      v.setBigUint64(24, 1n, true);
      v.setBigUint64(32, r.value, true);
      return W.ERRNO_SUCCESS;
    },
    fd_prestat_get(fd, out) {
      const f = Number(fd);
      if (!ctx.files.isPreopen(f)) return W.ERRNO_BADF;
      const v = mem().view(u32(out), 8, "result", "fd_prestat_get");
      v.setUint32(0, 0, true); // preopentype dir
      v.setUint32(4, encoder.encode(ctx.files.guestPath!).length, true);
      return W.ERRNO_SUCCESS;
    },
    fd_prestat_dir_name(fd, path, length) {
      if (!ctx.files.isPreopen(Number(fd))) return W.ERRNO_BADF;
      const name = encoder.encode(ctx.files.guestPath!);
      mem().bytes(u32(path), Math.min(u32(length), name.length), "path buffer", "fd_prestat_dir_name").set(name.subarray(0, u32(length)));
      return W.ERRNO_SUCCESS;
    },
    path_open(dirFd, _dirflags, path, pathLength, oflags, rights, _inheriting, fdflags, out) {
      const m = mem();
      const name = new TextDecoder().decode(m.bytes(u32(path), u32(pathLength), "path", "path_open"));
      const r = ctx.files.open(Number(dirFd), name, Number(oflags), BigInt(rights), Number(fdflags));
      if ("errno" in r) return r.errno;
      m.view(u32(out), 4, "result", "path_open").setUint32(0, r.value, true);
      return W.ERRNO_SUCCESS;
    },
    random_get(buf, length) {
      const area = mem().bytes(u32(buf), u32(length), "buffer", "random_get");
      // getRandomValues fills at most 65536 bytes per call.
      for (let at = 0; at < area.length; at += 65536) crypto.getRandomValues(area.subarray(at, at + 65536));
      return W.ERRNO_SUCCESS;
    },
    poll_oneoff(input, output, count, eventsOut) {
      const m = mem();
      const n = u32(count);
      if (n === 0) return W.ERRNO_INVAL;
      const subs = m.view(u32(input), SUBSCRIPTION * n, "subscriptions", "poll_oneoff");
      m.view(u32(output), EVENT * n, "events", "poll_oneoff");
      // Only clock subscriptions (sleeps) are served: wait for the earliest deadline.
      let waitNs: bigint | undefined;
      let first = -1;
      for (let i = 0; i < n; i++) {
        const base = SUBSCRIPTION * i;
        if (subs.getUint8(base + 8) !== W.EVENTTYPE_CLOCK) return W.ERRNO_NOSYS;
        const clock = subs.getUint32(base + 16, true);
        let timeout = subs.getBigUint64(base + 24, true);
        if (subs.getUint16(base + 40, true) & W.SUBCLOCKFLAG_ABSTIME) {
          const now = nowNs(clock);
          if (now === undefined) return W.ERRNO_INVAL;
          timeout = timeout > now ? timeout - now : 0n;
        }
        if (waitNs === undefined || timeout < waitNs) [waitNs, first] = [timeout, i];
      }
      const userdata = subs.getBigUint64(SUBSCRIPTION * first, true);
      const report = () => {
        // After a suspension memory may have grown: view it afresh.
        const out = mem().view(u32(output), EVENT, "events", "poll_oneoff");
        out.setBigUint64(0, userdata, true);
        out.setUint16(8, W.ERRNO_SUCCESS, true);
        out.setUint8(10, W.EVENTTYPE_CLOCK);
        mem().view(u32(eventsOut), 4, "result", "poll_oneoff").setUint32(0, 1, true);
        return W.ERRNO_SUCCESS;
      };
      const ms = Number(waitNs! / 1_000_000n);
      if (ctx.canSuspend?.()) return ctx.interruption.waitAsync(undefined, ms).then(report);
      ctx.interruption.sleep(ms);
      return report();
    },
    sched_yield: () => W.ERRNO_SUCCESS,
    proc_exit(code) {
      throw new WasmExit(u32(code));
    },
  };
  return imports;
}

/** Every WASI import `module` asks for: ours, or ENOSYS for the ones this host leaves out. */
export function wasiImportsFor(module: WebAssembly.Module, ctx: WasiContext): Record<string, WasiFunction> {
  const ours = wasiImports(ctx);
  const all: Record<string, WasiFunction> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== "wasi_snapshot_preview1" || imp.kind !== "function") continue;
    all[imp.name] = ours[imp.name] ?? (() => W.ERRNO_NOSYS);
  }
  return all;
}
