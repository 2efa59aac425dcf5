import { describe, expect, test } from "bun:test";
import { formatJson } from "./format-json.ts";
import { formatLinearHist, formatLog2Hist, linearHistJson, log2HistJson } from "./histogram.ts";

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join("");

describe("formatLog2Hist (BCC print_log2_hist layout)", () => {
  const cases: { name: string; slots: (number | bigint)[]; unit: string; text: string }[] = [
    {
      name: "stars are count*40/max, rounded down",
      slots: [1, 8, 138, 512, 1029, 16],
      unit: "usecs",
      text: lines(
        "     usecs               : count    distribution",
        "         0 -> 1          : 1        |                                        |",
        "         2 -> 3          : 8        |                                        |",
        "         4 -> 7          : 138      |*****                                   |",
        "         8 -> 15         : 512      |*******************                     |",
        "        16 -> 31         : 1029     |****************************************|",
        "        32 -> 63         : 16       |                                        |",
      ),
    },
    {
      name: "empty slots inside the range print, trailing empty slots do not",
      slots: [0, 3, 0, 58, 0, 7, 0, 0, 0],
      unit: "bytes",
      text: lines(
        "     bytes               : count    distribution",
        "         0 -> 1          : 0        |                                        |",
        "         2 -> 3          : 3        |**                                      |",
        "         4 -> 7          : 0        |                                        |",
        "         8 -> 15         : 58       |****************************************|",
        "        16 -> 31         : 0        |                                        |",
        "        32 -> 63         : 7        |****                                    |",
      ),
    },
    {
      name: "a long unit and a wide count push their columns",
      slots: [123456789, 1],
      unit: "nanoseconds per op",
      text: lines(
        "     nanoseconds per op  : count    distribution",
        "         0 -> 1          : 123456789 |****************************************|",
        "         2 -> 3          : 1        |                                        |",
      ),
    },
    {
      name: "slot 32 is the last that keeps the narrow layout",
      slots: [...Array(32).fill(0), 2],
      unit: "ns",
      text: lines(
        "     ns                  : count    distribution",
        ...Array.from({ length: 32 }, (_, i) => {
          const low = i === 0 ? 0n : 1n << BigInt(i);
          const high = (1n << BigInt(i + 1)) - 1n;
          return `${String(low).padStart(10)} -> ${String(high).padEnd(10)} : 0        |${" ".repeat(40)}|`;
        }),
        "4294967296 -> 8589934591 : 2        |****************************************|",
      ),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      expect(formatLog2Hist(c.slots, c.unit)).toBe(c.text);
    });
  }

  test("past slot 32 the columns widen to 20 digits and the bar halves", () => {
    const slots: bigint[] = Array(64).fill(0n);
    slots[0] = 4n;
    slots[33] = 8n;
    slots[63] = 6000000000n; // above 2^32: printed exactly, not wrapped
    const out = formatLog2Hist(slots, "ns").split("\n");
    expect(out[0]).toBe(`${" ".repeat(15)}${"ns".padEnd(29)} : count    distribution`);
    expect(out[1]).toBe(`${"0".padStart(20)} -> ${"1".padEnd(20)} : 4        |${" ".repeat(20)}|`);
    expect(out[34]).toBe(`${"8589934592".padStart(20)} -> ${"17179869183".padEnd(20)} : 8        |${" ".repeat(20)}|`);
    expect(out[64]).toBe(" 9223372036854775808 -> 18446744073709551615 : 6000000000 |********************|");
    expect(out.length).toBe(66); // header + 64 rows + the empty string after the last "\n"
  });

  test("counts past 2^47 are computed as bigints, exactly", () => {
    expect(formatLog2Hist([2n ** 60n, 2n ** 59n, 1n], "ns")).toBe(
      lines(
        "     ns                  : count    distribution",
        "         0 -> 1          : 1152921504606846976 |****************************************|",
        "         2 -> 3          : 576460752303423488 |********************                    |",
        "         4 -> 7          : 1        |                                        |",
      ),
    );
    // Small bigints (u64 slots) print like numbers.
    expect(formatLog2Hist([3n, 58n], "usecs")).toBe(formatLog2Hist([3, 58], "usecs"));
  });

  test("no counts print nothing at all", () => {
    expect(formatLog2Hist([], "usecs")).toBe("");
    expect(formatLog2Hist([0, 0, 0n], "usecs")).toBe("");
  });
});

describe("formatLinearHist (BCC print_linear_hist layout)", () => {
  test("rows only for non-empty slots, labelled base + i*step", () => {
    expect(formatLinearHist([0, 0, 5, 0, 20, 1, 0], 100, 50, "msecs")).toBe(
      lines(
        "     msecs         : count     distribution",
        "        200        : 5        |**********                              |",
        "        300        : 20       |****************************************|",
        "        350        : 1        |**                                      |",
      ),
    );
  });

  test("no counts print nothing", () => {
    expect(formatLinearHist([0, 0], 0, 1, "x")).toBe("");
  });
});

describe("JSON shapes", () => {
  test("log2: the rows the text prints, bounds as plain numbers", () => {
    expect(log2HistJson([0, 3, 0, 58, 0], "bytes")).toEqual({
      unit: "bytes",
      buckets: [
        { low: 0, high: 1, count: 0 },
        { low: 2, high: 3, count: 3 },
        { low: 4, high: 7, count: 0 },
        { low: 8, high: 15, count: 58 },
      ],
    });
    expect(log2HistJson([0, 0], "bytes")).toEqual({ unit: "bytes", buckets: [] });
  });

  test("log2: bounds past 2^53 stay exact bigints", () => {
    const slots: bigint[] = Array(64).fill(0n);
    slots[63] = 1n;
    const last = log2HistJson(slots, "ns").buckets[63];
    expect(last).toEqual({ low: 9223372036854775808n, high: 18446744073709551615n, count: 1n });
    expect(formatJson(last as never)).toBe('{"low":9223372036854775808,"high":18446744073709551615,"count":1}');
  });

  test("linear: non-empty slots with their value ranges", () => {
    expect(linearHistJson([0, 0, 5, 0, 20], 100, 50, "msecs")).toEqual({
      unit: "msecs",
      buckets: [
        { low: 200, high: 249, count: 5 },
        { low: 300, high: 349, count: 20 },
      ],
    });
    expect(linearHistJson([], 0, 1, "x")).toEqual({ unit: "x", buckets: [] });
  });
});
