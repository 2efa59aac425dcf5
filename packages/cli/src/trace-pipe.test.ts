import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTracePipe, TracePipeError } from "./trace-pipe.ts";

describe("readTracePipe", () => {
  test("a missing pipe is a TracePipeError naming tracefs", () => {
    let err: unknown;
    try {
      readTracePipe(() => {}, { path: "/nonexistent/trace_pipe" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TracePipeError);
    expect((err as TracePipeError).message).toBe(
      "cannot open the trace pipe /nonexistent/trace_pipe: ENOENT (is tracefs mounted? mount -t tracefs tracefs /sys/kernel/tracing)",
    );
  });

  test("hands over complete lines, the last ones on close", () => {
    const dir = mkdtempSync(join(tmpdir(), "trace-pipe-"));
    try {
      const file = join(dir, "pipe");
      writeFileSync(file, "one\ntwo\npartial");
      const lines: string[] = [];
      const reader = readTracePipe((l) => lines.push(l), { path: file });
      reader.close();
      reader.close();
      expect(lines).toEqual(["one", "two"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
