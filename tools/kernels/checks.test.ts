import { describe, expect, test } from "bun:test";
import { CHECKS, driverScript, refusalLine } from "./checks.ts";

describe("refusalLine", () => {
  test("kprobe kinds cannot attach; trampoline and LSM kinds are refused at load", () => {
    expect(refusalLine("kretprobe", "p", "kretprobe/f")).toBe("ecli: program p (kretprobe/f): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]");
    expect(refusalLine("lsm", "p", "lsm/h")).toBe("ecli: program p (lsm/h): the kernel refuses to load lsm programs here (EPERM)");
  });
});

describe("driverScript", () => {
  test("the prelude, every check in order, then the objects loaded before and after", () => {
    const script = driverScript("PRELUDE", [
      { name: "a", script: "echo a", verify: () => {} },
      { name: "b", script: "echo b", verify: () => {} },
    ]);
    expect(script.startsWith("PRELUDE\nkbefore=$(kobjects)\n# a\necho a\n# b\necho b\n")).toBe(true);
    expect(script.endsWith('kinfo matrix objects-before "$kbefore"\nkinfo matrix objects-after "$(kobjects)"\n')).toBe(true);
  });

  test("check names are unique and fit the console protocol (no blanks)", () => {
    const names = CHECKS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => /\s/.test(n) || n === "matrix")).toEqual([]);
  });
});
