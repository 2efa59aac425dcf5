import { expect, test } from "bun:test";
import { parseAttached, timeStartExit } from "./bootstrap-time.ts";

test("parseAttached reads ecli's and the C consumer's attached line", () => {
  expect(parseAttached("ecli: 2 programs attached 76.8 ms after start\n")).toEqual({ programs: 2, ms: 76.8 });
  expect(parseAttached("consumer: 1 programs attached 26.1 ms after start")).toEqual({ programs: 1, ms: 26.1 });
  expect(parseAttached("ecli: error")).toBeUndefined();
});

test("timeStartExit times a short process", async () => {
  const ms = await timeStartExit(["/bin/true"]);
  expect(ms).toBeGreaterThan(0);
  expect(ms).toBeLessThan(5000);
});
