import { describe, expect, test } from "bun:test";
import { OciError } from "@eunomia/loader/oci";
import { UsageError } from "../cli-error.ts";
import { InputError } from "../read-input.ts";
import { registryOptions, takeRegistryFlag, withRegistryErrors, type RegistryFlags } from "./registry-options.ts";

function take(argv: string[]): { flags: RegistryFlags; used: number[] } {
  const flags: RegistryFlags = {};
  const used = argv.map((_, i) => takeRegistryFlag(argv, i, flags));
  return { flags, used };
}

describe("registry options", () => {
  test("each flag, with its value apart or after =", () => {
    expect(take(["-u", "ci"])).toEqual({ flags: { username: "ci" }, used: [2, 0] });
    expect(take(["--username=ci", "--password=a=b"]).flags).toEqual({ username: "ci", password: "a=b" });
    expect(take(["--password-stdin"]).flags).toEqual({ passwordStdin: true });
    expect(take(["--insecure"]).flags).toEqual({ insecure: true });
    expect(take(["--plain-http"]).flags).toEqual({ insecure: true });
    expect(take(["--docker-config", "/c.json"]).flags).toEqual({ dockerConfig: "/c.json" });
    expect(take(["--other"]).used).toEqual([0]);
    expect(() => take(["-p"])).toThrow(new UsageError("-p needs a value"));
  });

  test("--password-stdin reads one line; username and password come together", async () => {
    expect(await registryOptions({ username: "ci", passwordStdin: true }, async () => "s3cret\n")).toEqual({ username: "ci", password: "s3cret" });
    expect(await registryOptions({ insecure: true })).toEqual({ insecure: true });
    await expect(registryOptions({ username: "ci" })).rejects.toThrow(UsageError);
    await expect(registryOptions({ password: "x" })).rejects.toThrow(UsageError);
    await expect(registryOptions({ username: "ci", password: "x", passwordStdin: true }, async () => "y")).rejects.toThrow(/not both/);
  });

  test("registry errors become one-line input errors; others pass through", async () => {
    await expect(withRegistryErrors(async () => { throw new OciError("nope"); })).rejects.toThrow(new InputError("nope"));
    await expect(withRegistryErrors(async () => { throw new RangeError("r"); })).rejects.toThrow(RangeError);
  });
});
