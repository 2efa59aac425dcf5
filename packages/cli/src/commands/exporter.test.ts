import { describe, expect, test } from "bun:test";
import { UsageError } from "../cli-error.ts";
import { parseExporterArgs, parseListen } from "./exporter.ts";

describe("ecli exporter command line", () => {
  test("defaults: 127.0.0.1:8526, no check, no token", () => {
    expect(parseExporterArgs(["-c", "config.yaml"])).toEqual({ config: "config.yaml", hostname: "127.0.0.1", port: 8526, check: false });
  });

  test("every option, in both spellings", () => {
    expect(parseExporterArgs(["--config=c.yaml", "--listen", "0.0.0.0:9000", "--check", "--token=s3cret"]))
      .toEqual({ config: "c.yaml", hostname: "0.0.0.0", port: 9000, check: true, token: "s3cret" });
    expect(parseExporterArgs(["-l", "[::1]:80", "--config", "c.yaml"])).toMatchObject({ hostname: "::1", port: 80 });
    expect(parseExporterArgs(["-c", "c.yaml", "-h"])).toBe("help");
  });

  test.each([
    [[], /no config given/],
    [["-c"], /-c needs a value/],
    [["-c", "c.yaml", "--listen", "8526"], /--listen takes ADDR:PORT .* not "8526"/],
    [["-c", "c.yaml", "--listen", "h:70000"], /--listen takes ADDR:PORT/],
    [["-c", "c.yaml", "--bogus"], /unknown option --bogus/],
    [["-c", "c.yaml", "extra"], /unexpected argument extra/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseExporterArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseExporterArgs(argv as string[])).toThrow(message);
  });

  test("parseListen", () => {
    expect(parseListen("127.0.0.1:0")).toEqual({ hostname: "127.0.0.1", port: 0 });
    expect(parseListen("localhost:8526")).toEqual({ hostname: "localhost", port: 8526 });
  });
});
