import { describe, expect, test } from "bun:test";
import { consoleTail, parseConsole } from "./console.ts";

describe("parseConsole", () => {
  test("collects each check's output, exit code and facts; ignores other lines", () => {
    const text = [
      "SeaBIOS (version 1.16)",
      "\x1bc\x1b[?7lKCHECK-BOOTED 6.1.0-56-amd64\r",
      "[    5.1] random kernel line",
      "KINFO probe pid 208\r",
      "KINFO probe work /tmp/kcheck dir\r",
      "KINFO probe empty\r",
      'KOUT probe {"pid":208}\r',
      "KERR probe ecli: 1 programs attached 7316.7 ms after start\r",
      "KOUT probe \r",
      "KCHECK-END probe 0\r",
      "KERR other ecli: no\r",
      "KCHECK-END other 1\r",
      "KCHECK-DONE\r",
    ].join("\n");
    const report = parseConsole(text);
    expect(report.release).toBe("6.1.0-56-amd64");
    expect(report.done).toBe(true);
    expect(report.checks.get("probe")).toEqual({
      stdout: ['{"pid":208}', ""],
      stderr: ["ecli: 1 programs attached 7316.7 ms after start"],
      code: 0,
      info: { pid: "208", work: "/tmp/kcheck dir", empty: "" },
    });
    expect(report.checks.get("other")).toEqual({ stdout: [], stderr: ["ecli: no"], code: 1, info: {} });
  });

  test("a run cut short has no release, is not done, and its open check has no exit code", () => {
    const report = parseConsole("KOUT a x\n");
    expect(report).toEqual({ release: null, done: false, checks: new Map([["a", { stdout: ["x"], stderr: [], code: null, info: {} }]]) });
  });
});

describe("consoleTail", () => {
  test("keeps the last lines, without carriage returns", () => {
    expect(consoleTail("a\r\nb\r\nc\r\n", 2)).toBe("b\nc");
  });
});
