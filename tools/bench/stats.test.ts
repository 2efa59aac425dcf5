import { expect, test } from "bun:test";
import { median, percentile, range } from "./stats.ts";

test("median of odd, even and empty lists", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNaN();
});

test("percentile by nearest rank, and range", () => {
  const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  expect(percentile(xs, 50)).toBe(50);
  expect(percentile(xs, 90)).toBe(90);
  expect(percentile(xs, 100)).toBe(100);
  expect(percentile([], 90)).toBeNaN();
  expect(range([3, -1, 7])).toEqual([-1, 7]);
});
