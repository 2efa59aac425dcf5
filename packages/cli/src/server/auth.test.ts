import { describe, expect, test } from "bun:test";
import { bearerCheck, tokenFromFile } from "./auth.ts";

describe("bearerCheck", () => {
  test("accepts only the exact token", () => {
    const allowed = bearerCheck("s3cret");
    expect(allowed("Bearer s3cret")).toBe(true);
    expect(allowed("bearer s3cret")).toBe(true);
    expect(allowed("Bearer s3cre")).toBe(false);
    expect(allowed("Bearer s3cret2")).toBe(false);
    expect(allowed("s3cret")).toBe(false);
    expect(allowed("Basic s3cret")).toBe(false);
    expect(allowed("")).toBe(false);
    expect(allowed(null)).toBe(false);
  });

  test("without a token every request passes", () => {
    expect(bearerCheck(undefined)(null)).toBe(true);
  });
});

describe("tokenFromFile", () => {
  test("takes one line without its line break", () => {
    expect(tokenFromFile("abc\n", "t")).toBe("abc");
    expect(() => tokenFromFile("\n", "t")).toThrow("token file t is empty");
    expect(() => tokenFromFile("a\nb\n", "t")).toThrow("one line");
  });
});
