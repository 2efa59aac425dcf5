import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { guardInflatedSize } from "./inflate-guard.ts";

const pkg = (object: Uint8Array, size: number) => new TextEncoder().encode(JSON.stringify({ bpf_object: deflateSync(object).toString("base64"), bpf_object_size: size, meta: {} }));

describe("guardInflatedSize", () => {
  test("an object that inflates beyond its declared size is refused before it is inflated whole", () => {
    expect(() => guardInflatedSize(pkg(new Uint8Array(8 << 20), 4096))).toThrow("bpf_object inflates to more than its bpf_object_size (4096 bytes)");
  });

  test("a declared size above the limit is refused", () => {
    expect(() => guardInflatedSize(pkg(new Uint8Array(10), 1 << 30))).toThrow("bpf_object_size 1073741824 is above the server's limit");
  });

  test("honest sizes and malformed uploads pass through (reading the package reports those)", () => {
    expect(() => guardInflatedSize(pkg(new Uint8Array(4096), 4096))).not.toThrow();
    expect(() => guardInflatedSize(pkg(new Uint8Array(100), 4096))).not.toThrow();
    expect(() => guardInflatedSize(new TextEncoder().encode("junk"))).not.toThrow();
    expect(() => guardInflatedSize(new TextEncoder().encode('{"bpf_object": "!!", "bpf_object_size": 3}'))).not.toThrow();
  });
});
