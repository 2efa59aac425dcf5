import { describe, expect, test } from "bun:test";
import { parseUprobeTarget } from "./uprobe-target.ts";

describe("parseUprobeTarget", () => {
  test("binary and function, with an optional offset", () => {
    expect(parseUprobeTarget("/bin/bash:readline")).toEqual({ binary: "/bin/bash", func: "readline", offset: 0 });
    expect(parseUprobeTarget("/usr/lib/libc.so.6:malloc+4")).toEqual({ binary: "/usr/lib/libc.so.6", func: "malloc", offset: 4 });
    expect(parseUprobeTarget("/usr/lib/libc.so.6:malloc+0x10")).toEqual({ binary: "/usr/lib/libc.so.6", func: "malloc", offset: 16 });
    expect(parseUprobeTarget("libc.so.6:free@GLIBC_2.2.5")).toEqual({ binary: "libc.so.6", func: "free@GLIBC_2.2.5", offset: 0 });
  });

  test("no target, or no function, is undefined", () => {
    expect(parseUprobeTarget("")).toBeUndefined();
    expect(parseUprobeTarget("/bin/bash")).toBeUndefined();
    expect(parseUprobeTarget("/bin/bash:")).toBeUndefined();
  });
});
