import { describe, expect, test } from "bun:test";
import { UsageError } from "../cli-error.ts";
import { parseConvertArgs } from "./convert.ts";

describe("parseConvertArgs", () => {
  test("takes the input, -o and --to in any order", () => {
    expect(parseConvertArgs(["a.json", "-o", "b.bin", "--to", "msgpack"])).toEqual({ source: "a.json", out: "b.bin", to: "msgpack" });
    expect(parseConvertArgs(["--to=json", "-"])).toEqual({ source: "-", to: "json" });
    expect(parseConvertArgs(["-h"])).toBe("help");
  });

  test("rejects bad command lines with a UsageError", () => {
    for (const argv of [[], ["a", "b"], ["a", "--to", "yaml"], ["a", "-o"], ["a", "--what"]]) {
      expect(() => parseConvertArgs(argv)).toThrow(UsageError);
    }
  });
});
