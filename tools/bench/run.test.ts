import { expect, test } from "bun:test";
import { parseOptions } from "./run.ts";

test("parseOptions has defaults that fit the 3-minute budget and reads every option", () => {
  const d = parseOptions([]);
  if (d === "help") throw new Error("unexpected help");
  expect(d).toMatchObject({ events: 1_000_000, backlogEvents: 300_000, reps: 3, ringBytes: 8 << 20, writeDoc: true });
  const o = parseOptions(["--events", "5", "--reps", "2", "--ring-kib", "64", "--rates", "", "--skip", "bpftrace,micro", "--no-doc"]);
  if (o === "help") throw new Error("unexpected help");
  expect(o).toMatchObject({ events: 5, reps: 2, ringBytes: 65536, rates: [], writeDoc: false });
  expect([...o.skip]).toEqual(["bpftrace", "micro"]);
  expect(parseOptions(["--help"])).toBe("help");
});

test("parseOptions rejects bad values with one-line messages", () => {
  expect(() => parseOptions(["--events", "-3"])).toThrow("--events takes a positive integer, not \"-3\"");
  expect(() => parseOptions(["--ring-kib", "100"])).toThrow("--ring-kib takes a power of two of at least 4, not 100");
  expect(() => parseOptions(["--skip", "everything"])).toThrow("--skip: unknown part \"everything\"");
  expect(() => parseOptions(["--reps"])).toThrow("--reps needs a value");
  expect(() => parseOptions(["--fast"])).toThrow("unknown option --fast");
});
