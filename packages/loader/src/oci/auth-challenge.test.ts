import { describe, expect, test } from "bun:test";
import { parseAuthChallenge } from "./auth-challenge.ts";

describe("parseAuthChallenge", () => {
  test("Bearer with quoted values holding commas and colons", () => {
    expect(parseAuthChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/x:pull,push"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/x:pull,push" },
    });
  });

  test("Basic, case and blanks, unquoted values, escapes", () => {
    expect(parseAuthChallenge('basic  Realm="basic-realm"')).toEqual({ scheme: "basic", params: { realm: "basic-realm" } });
    expect(parseAuthChallenge("Bearer realm=https://t/token , service=reg")).toEqual({ scheme: "bearer", params: { realm: "https://t/token", service: "reg" } });
    expect(parseAuthChallenge('Basic realm="a \\"quoted\\" realm"')).toEqual({ scheme: "basic", params: { realm: 'a "quoted" realm' } });
  });

  test("no header or no scheme: undefined", () => {
    expect(parseAuthChallenge(null)).toBeUndefined();
    expect(parseAuthChallenge("")).toBeUndefined();
    expect(parseAuthChallenge('="x"')).toBeUndefined();
  });
});
