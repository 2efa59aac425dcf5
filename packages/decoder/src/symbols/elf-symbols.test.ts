import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../../fixtures/compile.ts";
import { parseElf, PT_LOAD } from "../elf.ts";
import { elfBuildId, ElfSymbolTable } from "./elf-symbols.ts";
import { findMapping, parseProcMaps } from "./proc-maps.ts";

const LIB_C = `
__attribute__((noinline)) static int lib_hidden(int x) { return x ^ 0x55; }
int lib_visible(int x) { return lib_hidden(x) + 1; }
void *lib_hidden_address(void) { return (void *)lib_hidden; }
`;
const PROG_C = `
#include <stdio.h>
#include <unistd.h>
extern int lib_visible(int);
extern void *lib_hidden_address(void);
__attribute__((noinline)) int alpha(int x) { return x * 3 + 1; }
__attribute__((noinline)) static int beta(int x) { return alpha(x) + 2; }
int main(void) {
  printf("alpha %p\\nbeta %p\\nmain %p\\nlib_visible %p\\nlib_hidden %p\\n",
         (void *)alpha, (void *)beta, (void *)main, (void *)lib_visible, lib_hidden_address());
  fflush(stdout);
  char c;
  if (read(0, &c, 1) < 0) return 2; /* wait until the test has read /proc/<pid>/maps */
  return beta(1) + lib_visible(2) > 0 ? 0 : 1;
}
`;

let dir: string;

function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function table(file: string, debugFile?: string): ElfSymbolTable {
  const elf = parseElf(new Uint8Array(readFileSync(join(dir, file))));
  return ElfSymbolTable.fromElf(elf, debugFile ? parseElf(new Uint8Array(readFileSync(join(dir, debugFile)))) : undefined);
}

/** Starts a compiled program, reads the addresses it prints, and its maps while it waits. */
async function addressesAndMaps(file: string): Promise<{ addr: Record<string, bigint>; maps: ReturnType<typeof parseProcMaps> }> {
  const proc = Bun.spawn([join(dir, file)], { cwd: dir, stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  while (text.split("\n").length < 6) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const maps = parseProcMaps(readFileSync(`/proc/${proc.pid}/maps`, "utf8"));
  proc.stdin.write("x");
  await proc.stdin.end();
  expect(await proc.exited).toBe(0);
  const addr: Record<string, bigint> = {};
  for (const line of text.trim().split("\n")) {
    const [name, hex] = line.split(" ");
    addr[name] = BigInt(hex);
  }
  return { addr, maps };
}

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "elf-symbols-")));
  writeFileSync(join(dir, "lib.c"), LIB_C);
  writeFileSync(join(dir, "prog.c"), PROG_C);
  run(["gcc", "-O0", "-g", "-fPIC", "-shared", "-Wl,--build-id", "-o", "libst.so", "lib.c"]);
  run(["objcopy", "--only-keep-debug", "libst.so", "libst.so.debug"]);
  run(["strip", "--strip-all", "libst.so"]);
  for (const [out, pie] of [["prog", "-pie"], ["prog-nopie", "-no-pie"]]) {
    run(["gcc", "-O0", "-g", "-fno-omit-frame-pointer", pie, "-o", out, "prog.c", "-L.", "-lst", `-Wl,-rpath,${dir}`]);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ElfSymbolTable", () => {
  test("agrees with nm on every function of a gcc-built PIE executable, start to last byte", () => {
    const t = table("prog");
    const nm = run(["nm", "-S", "--defined-only", "prog"]).split("\n")
      .map((l) => l.split(" "))
      .filter((f) => f.length === 4 && /^[tTwW]$/.test(f[2]));
    expect(nm.length).toBeGreaterThanOrEqual(4);
    for (const [addrHex, sizeHex, , name] of nm) {
      const address = BigInt(`0x${addrHex}`);
      const size = BigInt(`0x${sizeHex}`);
      expect(t.lookupVirtual(address)).toEqual({ name, address, offset: 0, size });
      expect(t.lookupVirtual(address + size - 1n)?.name).toBe(name);
    }
    expect(nm.map((f) => f[3])).toEqual(expect.arrayContaining(["alpha", "beta", "main"]));
  });

  test("reads the PT_LOAD segments of an executable", () => {
    const elf = parseElf(new Uint8Array(readFileSync(join(dir, "prog"))));
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    const readelf = run(["readelf", "-lW", "prog"]).split("\n").filter((l) => /^\s*LOAD/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(loads.map((s) => [s.offset, s.vaddr, s.filesz, s.memsz])).toEqual(
      readelf.map((f) => [BigInt(f[1]), BigInt(f[2]), BigInt(f[4]), BigInt(f[5])]),
    );
    expect(loads.some((s) => (s.flags & 1) === 1)).toBe(true); // an executable segment
  });

  for (const file of ["prog", "prog-nopie"]) {
    test(`resolves runtime addresses of a running ${file} and its stripped shared library`, async () => {
      const { addr, maps } = await addressesAndMaps(file);
      const exe = table(file);
      for (const name of ["alpha", "beta", "main"]) {
        const m = findMapping(maps, addr[name])!;
        expect(m.path).toBe(join(dir, file));
        expect(exe.lookupRuntime(addr[name], m)).toMatchObject({ name, offset: 0 });
        expect(exe.lookupRuntime(addr[name] + 4n, m)).toMatchObject({ name, offset: 4 });
      }
      const libMapping = findMapping(maps, addr.lib_visible)!;
      expect(libMapping.path).toBe(join(dir, "libst.so"));
      const stripped = table("libst.so");
      // .dynsym survives strip; the static function does not.
      expect(stripped.lookupRuntime(addr.lib_visible + 1n, libMapping)).toMatchObject({ name: "lib_visible", offset: 1 });
      const hiddenMapping = findMapping(maps, addr.lib_hidden)!;
      expect(stripped.lookupRuntime(addr.lib_hidden, hiddenMapping)?.name).not.toBe("lib_hidden");
      // The separate debug file brings it back.
      const withDebug = table("libst.so", "libst.so.debug");
      expect(withDebug.lookupRuntime(addr.lib_hidden + 2n, hiddenMapping)).toMatchObject({ name: "lib_hidden", offset: 2 });
      expect(withDebug.lookupRuntime(addr.lib_visible, libMapping)?.name).toBe("lib_visible");
    });
  }

  test("reads the GNU build id that readelf reports", () => {
    const expected = /Build ID: ([0-9a-f]+)/.exec(run(["readelf", "-n", "libst.so"]))![1];
    const lib = parseElf(new Uint8Array(readFileSync(join(dir, "libst.so"))));
    expect(elfBuildId(lib)).toBe(expected);
    expect(table("libst.so").buildId).toBe(expected);
  });

  test("truncated or garbled executables give ElfError or a table, never another error", () => {
    const bytes = new Uint8Array(readFileSync(join(dir, "prog")));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const tries: Uint8Array[] = [];
    for (const n of [0, 16, 63, 64, 120, 500, 4096, bytes.length - 1]) tries.push(bytes.subarray(0, n));
    for (let i = 0; i < 200; i++) {
      const copy = bytes.slice();
      for (let j = 0; j < 8; j++) copy[rand() % 128] = rand() & 0xff; // header and program headers
      copy[rand() % copy.length] = rand() & 0xff;
      tries.push(copy);
    }
    for (const t of tries) {
      try {
        const elf = parseElf(t);
        const table = ElfSymbolTable.fromElf(elf);
        table.lookupRuntime(0x1139n, { start: 0x1000n, offset: 0x1000n });
        elfBuildId(elf);
      } catch (e) {
        expect((e as Error).name).toBe("ElfError");
      }
    }
  });

  test("an object without program headers or functions resolves nothing", () => {
    const bpf = parseElf(compileFixture("kinds.bpf.c"));
    expect(bpf.segments).toEqual([]);
    expect(elfBuildId(bpf)).toBeUndefined();
    const t = ElfSymbolTable.fromElf(bpf);
    expect(t.lookupRuntime(0x1000n, { start: 0x1000n, offset: 0n })).toBeUndefined();
    expect(t.lookupRuntime(0x10n, { start: 0x1000n, offset: 0n })).toBeUndefined();
  });
});
