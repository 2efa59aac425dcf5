import { describe, expect, test } from "bun:test";
import { paint, useColour } from "./colour.ts";

describe("useColour", () => {
  test("only on a TTY", () => {
    expect(useColour(true, {})).toBe(true);
    expect(useColour(false, {})).toBe(false);
    expect(useColour(undefined, {})).toBe(false);
  });
  test("never with a non-empty NO_COLOR; an empty one is ignored", () => {
    expect(useColour(true, { NO_COLOR: "1" })).toBe(false);
    expect(useColour(true, { NO_COLOR: "" })).toBe(true);
  });
});

describe("paint", () => {
  test("wraps in ANSI codes when enabled", () => {
    expect(paint("ecli:", "red", true)).toBe("\x1b[31mecli:\x1b[0m");
    expect(paint("warning:", "yellow", true)).toBe("\x1b[33mwarning:\x1b[0m");
  });
  test("returns the text unchanged when disabled", () => {
    expect(paint("ecli:", "red", false)).toBe("ecli:");
  });
});
