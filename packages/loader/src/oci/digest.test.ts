import { describe, expect, test } from "bun:test";
import { sha256Digest, verifyDigest } from "./digest.ts";

const bytes = new TextEncoder().encode("abc");
const SHA256_ABC = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const SHA512_ABC = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

describe("digests", () => {
  test("sha256Digest is the spec's form", () => expect(sha256Digest(bytes)).toBe(SHA256_ABC));

  test("verifyDigest accepts sha256 and sha512, and names both digests on a mismatch", () => {
    verifyDigest(bytes, SHA256_ABC, "blob");
    verifyDigest(bytes, SHA512_ABC, "blob");
    expect(() => verifyDigest(new TextEncoder().encode("abd"), SHA256_ABC, "the package of x"))
      .toThrow(/^digest mismatch for the package of x: expected sha256:ba7816bf.*, got sha256:a52d159f/);
    expect(() => verifyDigest(bytes, "md5:900150983cd24fb0d6963f7d28e17f72", "blob")).toThrow(/unsupported digest algorithm/);
  });
});
