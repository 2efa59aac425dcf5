import { describe, expect, test } from "bun:test";
import { OutputLines } from "./output-lines.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function collect(maxChars?: number) {
  const got: string[][] = [];
  const lines = new OutputLines((l) => got.push(l), maxChars);
  return { lines, got };
}

describe("OutputLines", () => {
  test("emits complete lines per write and keeps the unfinished tail for the next", () => {
    const { lines, got } = collect();
    lines.write(enc("TIME EVENT\nEXEC tr"));
    lines.write(enc("ue 42\r\n"));
    lines.write(enc("\n"));
    lines.write(enc("no newline"));
    expect(got).toEqual([["TIME EVENT"], ["EXEC true 42"], [""]]);
    lines.flush();
    expect(got.at(-1)).toEqual(["no newline"]);
    lines.flush();
    expect(got).toHaveLength(4);
  });

  test("a UTF-8 character split across writes is decoded whole", () => {
    const { lines, got } = collect();
    const bytes = enc("é\n");
    lines.write(bytes.subarray(0, 1));
    lines.write(bytes.subarray(1));
    expect(got).toEqual([["é"]]);
  });

  test("a line longer than the bound is cut, finished or not", () => {
    const { lines, got } = collect(4);
    lines.write(enc("abcdefghij"));
    expect(got).toEqual([["abcd", "efgh"]]);
    lines.write(enc("k\nabcdefghi\n"));
    expect(got.slice(1)).toEqual([["ijk", "abcd", "efgh", "i"]]);
  });
});
