import { describe, expect, test } from "bun:test";
import { UsageError } from "../cli-error.ts";
import { parsePullArgs } from "./pull.ts";

describe("parsePullArgs", () => {
  test("a reference, -o and registry options in any order", () => {
    expect(parsePullArgs(["-o", "p.json", "localhost:5000/x:v1", "--username=ci", "-p", "pw"])).toEqual({
      ref: "localhost:5000/x:v1", out: "p.json", registry: { username: "ci", password: "pw" },
    });
    expect(parsePullArgs(["localhost/x", "--output=-"])).toEqual({ ref: "localhost/x", out: "-", registry: {} });
    expect(parsePullArgs(["-h"])).toBe("help");
  });

  test("bad command lines are UsageErrors", () => {
    for (const argv of [[], ["a", "b"], ["a", "-o"], ["a", "--what"], ["a", "-u"]]) expect(() => parsePullArgs(argv)).toThrow(UsageError);
  });
});
