import { describe, expect, test } from "bun:test";
import { UsageError } from "../cli-error.ts";
import { parsePushArgs } from "./push.ts";

describe("parsePushArgs", () => {
  test("a package, a reference, annotations and registry options in any order", () => {
    expect(parsePushArgs(["pkg.json", "-u", "ci", "localhost:5000/x:v1", "--password-stdin", "-a", "k=v=w", "--insecure"])).toEqual({
      source: "pkg.json", ref: "localhost:5000/x:v1", annotations: { k: "v=w" }, registry: { username: "ci", passwordStdin: true, insecure: true },
    });
    expect(parsePushArgs(["-", "localhost/x"])).toEqual({ source: "-", ref: "localhost/x", annotations: {}, registry: {} });
    expect(parsePushArgs(["--help"])).toBe("help");
  });

  test("bad command lines are UsageErrors", () => {
    for (const argv of [[], ["a"], ["a", "b", "c"], ["a", "b", "--what"], ["a", "b", "-a", "novalue"], ["a", "b", "-a"], ["-", "b", "--password-stdin"]]) {
      expect(() => parsePushArgs(argv)).toThrow(UsageError);
    }
  });
});
