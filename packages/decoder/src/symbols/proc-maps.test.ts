import { describe, expect, test } from "bun:test";
import { readFileSync, realpathSync } from "node:fs";
import { SymbolError } from "../errors.ts";
import { findMapping, parseProcMaps } from "./proc-maps.ts";

describe("parseProcMaps", () => {
  test("reads this process's own /proc/self/maps", () => {
    const text = readFileSync("/proc/self/maps", "utf8");
    const maps = parseProcMaps(text);
    expect(maps.length).toBe(text.split("\n").filter(Boolean).length);
    // Bun's own executable is mapped from its file, at offset 0 first.
    const exe = realpathSync(process.execPath);
    const own = maps.filter((m) => m.path === exe);
    expect(own.length).toBeGreaterThan(0);
    expect(own[0].offset).toBe(0n);
    expect(own.some((m) => m.perms === "r-xp")).toBe(true);
    expect(maps.some((m) => m.path === "[stack]")).toBe(true);
    for (let i = 1; i < maps.length; i++) expect(maps[i].start).toBeGreaterThanOrEqual(maps[i - 1].end);
    // An address inside the first mapping of the executable is found in it.
    const here = findMapping(maps, own[0].start + 1n)!;
    expect(here.path).toBe(exe);
  });

  test("splits every field, paths with spaces, deleted files and anonymous memory", () => {
    const maps = parseProcMaps([
      "55d0c8a00000-55d0c8a01000 r--p 00000000 08:01 1234567                    /tmp/my prog",
      "55d0c8a01000-55d0c8a02000 r-xp 00001000 08:01 1234567                    /tmp/my prog",
      "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ",
      "7f1000000000-7f1000001000 r-xs 0000a000 fe:02 99 /memfd:jit (deleted)",
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
    ].join("\n"));
    expect(maps).toHaveLength(5);
    expect(maps[1]).toEqual({
      start: 0x55d0c8a01000n, end: 0x55d0c8a02000n, perms: "r-xp", offset: 0x1000n,
      dev: "08:01", inode: 1234567n, path: "/tmp/my prog", deleted: false,
    });
    expect(maps[2]).toMatchObject({ path: "", inode: 0n, deleted: false });
    expect(maps[3]).toMatchObject({ path: "/memfd:jit", deleted: true, offset: 0xa000n, dev: "fe:02" });
    expect(maps[4]).toMatchObject({ start: 0xffffffffff600000n, path: "[vsyscall]" });
  });

  test("findMapping takes start inclusive and end exclusive", () => {
    const maps = parseProcMaps("1000-2000 r-xp 00000000 08:01 1 /a\n3000-4000 r-xp 00000000 08:01 2 /b\n");
    expect(findMapping(maps, 0x1000n)?.path).toBe("/a");
    expect(findMapping(maps, 0x1fffn)?.path).toBe("/a");
    expect(findMapping(maps, 0x2000n)).toBeUndefined();
    expect(findMapping(maps, 0x3abcn)?.path).toBe("/b");
    expect(findMapping(maps, 0xfffn)).toBeUndefined();
    expect(findMapping(maps, 0x4000n)).toBeUndefined();
    expect(findMapping([], 0x1000n)).toBeUndefined();
  });

  test("malformed text is a SymbolError naming the line", () => {
    expect(() => parseProcMaps("1000-2000 r-xp 00000000 08:01 1 /a\ngarbage\n")).toThrow(SymbolError);
    expect(() => parseProcMaps("1000-2000 r-xp 00000000 08:01 1 /a\ngarbage\n")).toThrow(/bad \/proc\/<pid>\/maps line 2: "garbage"/);
    expect(() => parseProcMaps("2000-1000 r-xp 00000000 08:01 1 /a\n")).toThrow(/ends before it starts/);
    expect(() => parseProcMaps("1000-2000 rwzp 00000000 08:01 1 /a\n")).toThrow(SymbolError);
  });
});
