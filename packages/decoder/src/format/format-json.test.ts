import { describe, expect, test } from "bun:test";
import { str } from "../decode/readers.ts";
import { formatJson } from "./format-json.ts";

describe("formatJson", () => {
  test("bigints are exact digits, numbers and nesting as JSON", () => {
    expect(formatJson({ a: 18446744073709551615n, b: -(2n ** 127n), c: [1, -2.5, true, null], d: { e: "x" } }))
      .toBe('{"a":18446744073709551615,"b":-170141183460469231731687303715884105728,"c":[1,-2.5,true,null],"d":{"e":"x"}}');
    expect(formatJson([])).toBe("[]");
    expect(formatJson({})).toBe("{}");
    expect(formatJson(NaN)).toBe("null");
    expect(formatJson(-Infinity)).toBe("null");
  });

  test("every control byte, quotes and backslashes round-trip through JSON.parse", () => {
    const all = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join("") + '"\\\u2028\u2029é';
    const text = formatJson({ [all]: all, list: [all] });
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(JSON.parse(text)).toEqual({ [all]: all, list: [all] });
  });

  test("invalid UTF-8 from a char array and lone surrogates stay valid JSON", () => {
    const bytes = new Uint8Array([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x5c, 0x0a, 0]);
    const s = str(bytes, 0, bytes.length);
    const lone = "x\ud800y\udfffz";
    const text = formatJson({ s, lone });
    const back = JSON.parse(text);
    expect(back.s).toBe(s);
    expect(back.s.startsWith("a\uFFFD")).toBe(true);
    expect(back.s.endsWith('"\\\n')).toBe(true);
    expect(back.lone.length).toBe(lone.length);
    expect(/[\ud800-\udfff]/.test(text)).toBe(false); // escaped as \udXXX, never raw
  });

  test("a field named __proto__ is an ordinary key", () => {
    const v = JSON.parse('{"__proto__":1,"b":2}');
    expect(formatJson(v)).toBe('{"__proto__":1,"b":2}');
  });
});
