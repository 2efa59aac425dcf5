import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { VERSION } from "./main.ts";
import cliPackage from "../package.json" with { type: "json" };

const MAIN = join(import.meta.dir, "main.ts");

async function ecli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("ecli main", () => {
  test("VERSION is the cli package's version", () => {
    expect(VERSION).toBe(cliPackage.version);
  });

  test("--version and -V print `ecli <version>` and exit 0", async () => {
    for (const flag of ["--version", "-V"]) expect(await ecli([flag])).toEqual({ code: 0, stdout: `ecli ${VERSION}\n`, stderr: "" });
  });

  test("help, -h and --help list the commands and exit 0; no command exits 2", async () => {
    for (const flag of ["help", "-h", "--help"]) {
      const r = await ecli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith("usage: ecli <command> [options]\n");
      expect(r.stdout).toContain("  -V, --version             print ecli's version\n");
    }
    expect((await ecli([])).code).toBe(2);
  });

  test("every command has --help", async () => {
    for (const command of ["run", "build", "convert"]) {
      const r = await ecli([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`usage: ecli ${command} `);
      expect(r.stdout).toContain("-h, --help");
    }
  });

  test("errors are plain text when stderr is piped, whatever NO_COLOR says", async () => {
    for (const env of [{}, { NO_COLOR: "1" }] as Record<string, string>[]) {
      expect(await ecli(["frobnicate"], env)).toEqual({ code: 2, stdout: "", stderr: 'ecli: unknown command "frobnicate" (ecli help lists them)\n' });
    }
  });
});
