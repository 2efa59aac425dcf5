import { describe, expect, test } from "bun:test";
import { TextTable } from "./text-table.ts";

describe("TextTable", () => {
  const t = new TextTable(["pid", "ppid", "exit_code", "duration_ns", "comm", "filename", "exit_event"]);
  const at = new Date(2024, 0, 2, 9, 5, 7); // local time

  test("header: TIME then upper-cased names, columns max(6, width) wide", () => {
    expect(t.header()).toBe("TIME     PID    PPID   EXIT_CODE DURATION_NS COMM   FILENAME EXIT_EVENT");
  });

  test("rows align under the header", () => {
    const row = t.row(at, { pid: 1234, ppid: 1, exit_code: 0, duration_ns: 18446744073709551615n, comm: "bash", filename: "/bin/sh", exit_event: false });
    expect(row).toBe("09:05:07 1234   1      0         18446744073709551615 bash   /bin/sh  false");
    const header = t.header();
    expect(row.indexOf("1234")).toBe(header.indexOf("PID"));
    expect(row.indexOf("bash")).toBeGreaterThan(header.indexOf("COMM"));
  });

  test("nested values compact JSON, control characters escaped, missing fields empty", () => {
    const nt = new TextTable(["a", "b", "c", "d"]);
    expect(nt.row(at, { a: { x: 1n, y: [1, 2] }, b: "x\ny", c: null })).toBe('09:05:07 {"x":1,"y":[1,2]} x\\ny   null   ');
  });
});
