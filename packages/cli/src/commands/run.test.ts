import { describe, expect, test } from "bun:test";
import { UsageError } from "../cli-error.ts";
import { parseRunArgs } from "./run.ts";

describe("parseRunArgs", () => {
  test("ecli options come before the package; everything after it belongs to the program", () => {
    expect(parseRunArgs(["-j", "-v", "--duration", "2.5", "pkg.json", "-j", "--min-duration-ns", "5"])).toEqual({
      mode: "json", verbose: true, durationMs: 2500, source: "pkg.json", programArgs: ["-j", "--min-duration-ns", "5"],
    });
  });

  test("defaults to text output with no duration", () => {
    expect(parseRunArgs(["-"])).toEqual({ mode: "text", verbose: false, source: "-", programArgs: [] });
  });

  test("--duration=S form", () => {
    expect(parseRunArgs(["--duration=1", "p"]).valueOf()).toMatchObject({ durationMs: 1000 });
  });

  test("rejects a bad duration, an unknown option and a missing package", () => {
    expect(() => parseRunArgs(["--duration", "soon", "p"])).toThrow(/--duration takes a positive number/);
    expect(() => parseRunArgs(["--duration", "-1", "p"])).toThrow(UsageError);
    expect(() => parseRunArgs(["--frob", "p"])).toThrow(/unknown option --frob/);
    expect(() => parseRunArgs(["-j"])).toThrow(/no package given/);
  });

  test("-h before the package asks for ecli's own help", () => {
    expect(parseRunArgs(["-h"])).toBe("help");
  });
});
