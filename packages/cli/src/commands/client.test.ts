import { describe, expect, test } from "bun:test";
import { parseClientArgs, parseTaskArgs, taskTable } from "./client.ts";
import { parseServerArgs } from "./server.ts";
import type { TaskInfo } from "../client/api-client.ts";

describe("ecli client command line", () => {
  test("own options before the command", () => {
    expect(parseClientArgs(["--endpoint", "https://h:1", "--token-file", "t", "list", "-j"])).toEqual({ endpoint: "https://h:1", tokenFile: "t", command: "list", rest: ["-j"] });
    expect(parseClientArgs(["-h"])).toBe("help");
    expect(() => parseClientArgs([])).toThrow("no command given");
    expect(() => parseClientArgs(["--bogus", "list"])).toThrow("unknown option --bogus");
  });

  test("start: package, name, -j, attach options, program flags after --", () => {
    expect(parseTaskArgs(["p.json", "--name", "n", "-j", "--iface", "lo", "--", "--x", "1", "-j"], "start")).toEqual({
      source: "p.json",
      params: { name: "n", json: true, attachArgs: ["--iface", "lo"], args: ["--x", "1", "-j"] },
    });
    expect(() => parseTaskArgs(["p.json", "--x"], "start")).toThrow("unknown option --x for start (program flags go after --)");
    expect(() => parseTaskArgs(["a", "b"], "start")).toThrow('unexpected "b"');
    expect(() => parseTaskArgs([], "update")).toThrow("update: no package given");
  });

  test("the task table", () => {
    const t: TaskInfo = {
      id: "12", name: "boot", state: "running", kind: "package", mode: "json", started_at: "2026-11-25T12:00:00.000Z",
      uptime_ms: 61_500, events: 3, lost: 0, dropped: 1, lines: 3, updates: 0,
    };
    expect(taskTable([t])).toBe("ID  NAME  STATE    UPTIME  EVENTS  LOST  DROPPED\n12  boot  running  1m1s    3       0     1\n");
  });
});

describe("ecli server command line", () => {
  test("defaults, values, and errors", () => {
    expect(parseServerArgs([])).toEqual({ listen: "127.0.0.1:8527", maxBody: 16 << 20, maxTasks: 64, logLines: 10000 });
    expect(parseServerArgs(["--listen=[::1]:0", "--log-lines", "5", "--token-file", "t"])).toMatchObject({ listen: "[::1]:0", logLines: 5, tokenFile: "t" });
    expect(() => parseServerArgs(["--max-body", "0"])).toThrow("--max-body takes a positive integer");
    expect(() => parseServerArgs(["--tls-cert", "c"])).toThrow("--tls-cert and --tls-key go together");
    expect(() => parseServerArgs(["--listen"])).toThrow("--listen needs a value");
  });
});
