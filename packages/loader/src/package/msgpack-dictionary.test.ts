import { expect, test } from "bun:test";
import { MSGPACK_DICTIONARY_BASE64, MSGPACK_DICTIONARY_SHA256 } from "./msgpack-dictionary.ts";

test("the version 2 dictionary is the one packages were written with (never regenerated)", () => {
  const bytes = Buffer.from(MSGPACK_DICTIONARY_BASE64, "base64");
  expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(MSGPACK_DICTIONARY_SHA256);
  expect(MSGPACK_DICTIONARY_SHA256).toBe("09f6883202adb587bc503507558be77606b76bfa216d5a9004ce5d2c73b66282");
});
