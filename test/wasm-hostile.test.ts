/**
 * Hostile WebAssembly modules against the real kernel: pointers outside the module's
 * memory, huge lengths, unknown object handles, fds of objects it did not load, a bad
 * callback index, a trap, files outside a granted directory, and bytes that are not a
 * usable module. Each ends with one clear line (or an errno the module sees) and
 * nothing left loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, type KernelObjects } from "./helpers/kernel.ts";
import { wasmLeaks } from "./helpers/wasm-leaks.ts";

let out: string;
let hostile: string;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-wasm-hostile-"));
  const r = await ecli(["build", "--wasm", join(ROOT, "examples/wasm-hostile/hostile.c"), join(ROOT, "examples/wasm-map/map.bpf.c"), "-o", out]);
  expect(r.code).toBe(0);
  hostile = join(out, "hostile.wasm");
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The whole of stderr must be this one line. */
async function fails(args: string[], line: RegExp) {
  const r = await ecli(["run", hostile, ...args]);
  expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(line);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
}

describe("pointers and lengths are checked against the module's memory", () => {
  test("an object pointer outside memory", () =>
    fails(["bad-object-pointer"], /^ecli: wasm_load_bpf_object: object at 0x7ffffff0 \+ 64 bytes is outside the module's \d+-byte memory$/));
  test("a huge object length", () =>
    fails(["huge-length"], /^ecli: wasm_load_bpf_object: object at 0x[0-9a-f]+ \+ 2147483647 bytes is outside the module's \d+-byte memory$/));
  test("a map key pointer outside memory", () =>
    fails(["bad-key-pointer"], /^ecli: wasm_bpf_map_operate: key at 0x7ffffff0 \+ 4 bytes is outside the module's \d+-byte memory$/));
  test("a string pointer outside memory", () =>
    fails(["bad-name-pointer"], /^ecli: wasm_bpf_map_fd_by_name: map name at 0x7ffffff0 is outside the module's \d+-byte memory$/));
  test("a huge poll buffer", () =>
    fails(["huge-poll-buffer"], /^ecli: wasm_bpf_buffer_poll: data buffer at 0x[0-9a-f]+ \+ 2147483647 bytes is outside the module's \d+-byte memory$/));
  test("a callback index outside the module's table", () =>
    fails(["bad-callback"], /^ecli: wasm_bpf_buffer_poll: sample_func 99999 is not a function in the module's table of \d+$/));
  test("a trap", () => fails(["trap"], /^ecli: the module trapped: Unreachable code should not be executed$/));
});

describe("a module reaches only what it loaded", () => {
  test("unknown object handles answer -EINVAL, each with a warning", async () => {
    const r = await ecli(["run", hostile, "unknown-handle"]);
    expect(r.stdout).toBe("attach on unknown handle: EINVAL\nmap fd on handle 0: EINVAL\nclose unknown handle: EINVAL\n");
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      "ecli: wasm: wasm_attach_bpf_program: unknown object handle 12346",
      "ecli: wasm: wasm_bpf_map_fd_by_name: unknown object handle 0",
      "ecli: wasm: wasm_close_bpf_object: unknown object handle 2",
    ]);
    expect(r.code).toBe(3);
  });

  test("an fd that is not one of its maps answers -EBADF", async () => {
    const r = await ecli(["run", hostile, "foreign-fd"]);
    expect(r.stdout).toBe("lookup on fd 0: EBADF\n");
    expect(r.stderr).toBe("ecli: wasm: wasm_bpf_map_operate: fd 0 is not a map of an object this module loaded\n");
    expect(r.code).toBe(3);
  });

  test("no file system unless a directory is granted, and nothing outside it", async () => {
    const dir = join(out, "granted");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.txt"), "hello\n");
    const denied = await ecli(["run", hostile, "read-file", join(dir, "a.txt")]);
    expect(denied.stdout).toBe(`cannot open ${join(dir, "a.txt")}: Capabilities insufficient\n`);
    expect(denied.code).toBe(1);
    const granted = await ecli(["run", "--wasm-dir", dir, hostile, "read-file", join(dir, "a.txt")]);
    expect(granted.stdout).toBe("read: hello\n");
    expect(granted.code).toBe(0);
    const escape = await ecli(["run", "--wasm-dir", dir, hostile, "read-file", `${dir}/../../../etc/passwd`]);
    expect(escape.stdout).toBe(`cannot open ${dir}/../../../etc/passwd: Capabilities insufficient\n`);
    expect(escape.code).toBe(1);
  });
});

describe("command lines that do not fit a module", () => {
  test("--wasm-dir of a missing directory: exit 1; without a value: exit 2", async () => {
    const missing = await ecli(["run", "--wasm-dir", join(out, "nope"), hostile, "trap"]);
    expect(missing.stderr).toBe(`ecli: cannot grant directory ${join(out, "nope")}: ENOENT: no such file or directory, lstat '${join(out, "nope")}'\n`);
    expect(missing.code).toBe(1);
    const bare = await ecli(["run", "--wasm-dir"]);
    expect(bare.stderr).toBe("ecli: --wasm-dir takes a directory\n");
    expect(bare.code).toBe(2);
  });

  test("-j does not apply to a module: exit 2", async () => {
    const r = await ecli(["run", "-j", hostile]);
    expect(r.stderr).toBe("ecli: -j does not apply to a WebAssembly module: it prints its own output\n");
    expect(r.code).toBe(2);
  });
});

describe("bytes that are not a usable module", () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  // A module of one function type () -> () importing wasm_bpf.nope.
  const importNope = (() => {
    const imports = [0x01, ...name("wasm_bpf"), ...name("nope"), 0x00, 0x00];
    return new Uint8Array([...header, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, imports.length, ...imports]);
  })();

  test("a truncated module", async () => {
    const r = await ecli(["run", "-"], { stdin: new Uint8Array([...header, 0x01, 0x10]) });
    expect(r.stderr).toMatch(/^ecli: not a valid WebAssembly module: .+\n$/);
    expect(r.code).toBe(1);
  });

  test("an import ecli does not provide", async () => {
    const r = await ecli(["run", "-"], { stdin: importNope });
    expect(r.stderr).toBe("ecli: the module imports wasm_bpf.nope, which ecli does not provide\n");
    expect(r.code).toBe(1);
  });

  test("a module without memory", async () => {
    const r = await ecli(["run", "-"], { stdin: new Uint8Array(header) });
    expect(r.stderr).toBe("ecli: the module exports no memory\n");
    expect(r.code).toBe(1);
  });
});

test("leaves no program or map of ours in the kernel", async () => {
  expect(await wasmLeaks(before)).toEqual({ progs: [], maps: [] });
});
