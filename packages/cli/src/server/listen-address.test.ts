import { describe, expect, test } from "bun:test";
import { isLoopback, parseListen } from "./listen-address.ts";

describe("parseListen", () => {
  test("host and port, IPv6 in brackets, all interfaces", () => {
    expect(parseListen("127.0.0.1:8527")).toEqual({ host: "127.0.0.1", port: 8527 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen(":9000")).toEqual({ host: "0.0.0.0", port: 9000 });
  });

  test("bad forms are usage errors", () => {
    for (const bad of ["127.0.0.1", "127.0.0.1:", "host:70000", "host:-1", "a:b"]) {
      expect(() => parseListen(bad)).toThrow("--listen takes HOST:PORT");
    }
  });
});

describe("isLoopback", () => {
  test("only loopback addresses", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].map(isLoopback)).toEqual([true, true, true, true]);
    expect(["0.0.0.0", "10.0.0.1", "::", "example.com", "1127.0.0.1"].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
