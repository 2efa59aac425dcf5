import { describe, expect, test } from "bun:test";
import { UsageError } from "./cli-error.ts";
import { describeError } from "./describe-error.ts";
import { OciError } from "@eunomia/loader/oci";

class LoadError extends Error {
  override name = "LoadError";
  constructor(message: string, readonly errno: number, readonly errnoName: string, readonly log: string) {
    super(message);
  }
}

describe("describeError", () => {
  test("keeps the first line of a known error", () => {
    expect(describeError(new UsageError("bad flag\nmore"))).toBe("bad flag");
    expect(describeError(new OciError("registry 127.0.0.1:5000 answered 404 for the manifest"))).toBe("registry 127.0.0.1:5000 answered 404 for the manifest");
  });

  test("adds the verifier's last meaningful line", () => {
    const log = "0: R1=ctx() R10=fp0\n; *value += 1;\n3: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\nprocessed 4 insns (limit 1000000)\n";
    expect(describeError(new LoadError("load count_exec: EACCES", 13, "EACCES", log)))
      .toBe("load count_exec: EACCES (verifier: R0 invalid mem access 'map_value_or_null')");
  });

  test("hints at privileges on EPERM", () => {
    expect(describeError(new LoadError("load: EPERM", 1, "EPERM", ""))).toMatch(/needs root, or CAP_BPF/);
  });

  test("marks errors nobody anticipated", () => {
    expect(describeError(new TypeError("x is undefined"))).toBe("internal error: x is undefined");
    expect(describeError("a string")).toBe("unexpected error: a string");
  });
});
