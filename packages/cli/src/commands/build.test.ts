import { describe, expect, test } from "bun:test";
import { parseBuildArgs } from "./build.ts";

describe("parseBuildArgs", () => {
  test("source, header, output folder, cflags and clang", () => {
    expect(parseBuildArgs(["p.bpf.c", "p.bpf.h", "-o", "out", "--cflag", "-DX=1 -DY", "--cflags=-Wall", "--clang", "/usr/bin/clang-19", "-v"])).toEqual({
      source: "p.bpf.c", header: "p.bpf.h", outDir: "out", cflags: ["-DX=1", "-DY", "-Wall"], clang: "/usr/bin/clang-19", headerOnly: false, verbose: true,
    });
  });

  test("the header is optional", () => {
    expect(parseBuildArgs(["p.bpf.c"])).toEqual({ source: "p.bpf.c", header: undefined, cflags: [], headerOnly: false, verbose: false });
  });

  test("rejects missing and extra files, unknown options and missing values", () => {
    expect(() => parseBuildArgs([])).toThrow(/no source file/);
    expect(() => parseBuildArgs(["a.c", "b.h", "c"])).toThrow(/too many files/);
    expect(() => parseBuildArgs(["a.c", "--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseBuildArgs(["a.c", "-o"])).toThrow(/-o needs a value/);
  });

  test("--header-only takes exactly one file; -h and --help ask for help", () => {
    expect(parseBuildArgs(["--header-only", "event.h"])).toEqual({ source: "event.h", header: undefined, cflags: [], headerOnly: true, verbose: false });
    expect(() => parseBuildArgs(["--header-only", "a.h", "b.h"])).toThrow(/--header-only takes one header/);
    expect(parseBuildArgs(["a.c", "-h"])).toBe("help");
    expect(parseBuildArgs(["--help"])).toBe("help");
  });

  test("--wasm: app.c first, then the program and its optional header; --wasm-cflag is repeatable", () => {
    expect(parseBuildArgs(["--wasm", "app.c", "p.bpf.c", "p.bpf.h", "--wasm-cflag", "-DA -DB", "--wasm-cflag", "-O3"])).toEqual({
      source: "p.bpf.c", header: "p.bpf.h", wasmApp: "app.c", wasmCflags: ["-DA", "-DB", "-O3"], cflags: [], headerOnly: false, verbose: false,
    });
    expect(parseBuildArgs(["app.c", "--wasm", "p.bpf.c"])).toMatchObject({ source: "p.bpf.c", header: undefined, wasmApp: "app.c" });
    expect(() => parseBuildArgs(["--wasm", "app.c"])).toThrow(/--wasm takes app\.c and prog\.bpf\.c/);
    expect(() => parseBuildArgs(["--wasm", "a.c", "b.bpf.c", "c.h", "d"])).toThrow(/too many files/);
    expect(() => parseBuildArgs(["--wasm", "--header-only", "a.c", "b.bpf.c"])).toThrow(/do not go together/);
  });
});
