/**
 * The compiled `ecli` needs nothing but libbpf at run time: a copy of the binary, run with
 * an empty environment and a PATH where nothing exists (so no bun, node or clang), prints
 * its version, runs examples/bootstrap and decodes its events exactly; only `build` needs
 * clang, and says so in one line. Uses $ECLI_BIN or dist/ecli (tools/build-binary.sh).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT, type Finished } from "./helpers/ecli.ts";
import { BOOTSTRAP_HEADER, BOOTSTRAP_SOURCE, child, type BootstrapEvent } from "./helpers/bootstrap.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const BINARY = process.env.ECLI_BIN ?? join(ROOT, "dist/ecli");
const VERSION = (await Bun.file(join(ROOT, "packages/cli/package.json")).json()).version as string;
let dir: string;
let copy: string;
let pkg: string;
let before: KernelObjects;

/** Runs the copy with nothing on PATH and no other environment. */
const bare = () => ({ command: ["/usr/bin/env", "-i", "PATH=/nonexistent", "HOME=/tmp", copy], cwd: dir });

const runBare = (args: string[]): Promise<Finished> => ecli(args, bare());

beforeAll(async () => {
  before = await kernelObjects();
  if (!existsSync(BINARY)) throw new Error(`no ecli binary at ${BINARY}: run bash tools/build-binary.sh first`);
  const fd = openSync(BINARY, "r");
  const magic = new Uint8Array(4);
  readSync(fd, magic, 0, 4, 0);
  closeSync(fd);
  if (magic.join() !== [0x7f, 0x45, 0x4c, 0x46].join()) throw new Error(`${BINARY} is not a compiled executable (ELF)`);
  dir = mkdtempSync(join(tmpdir(), "ecli-standalone-"));
  copy = join(dir, "ecli");
  copyFileSync(BINARY, copy);
  // The package is built with the normal ecli (which finds clang).
  const built = await ecli(["build", BOOTSTRAP_SOURCE, BOOTSTRAP_HEADER, "-o", dir]);
  expect(built.code).toBe(0);
  pkg = join(dir, "package.json");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dist/ecli with an empty environment", () => {
  test("--version, -V and --help work", async () => {
    for (const flag of ["--version", "-V"]) {
      expect(await runBare([flag])).toEqual({ code: 0, stdout: `ecli ${VERSION}\n`, stderr: "" });
    }
    const help = await runBare(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toStartWith("usage: ecli <command> [options]\n");
  });

  test("build says in one line that clang is missing (exit 1)", async () => {
    const r = await runBare(["build", BOOTSTRAP_SOURCE, BOOTSTRAP_HEADER, "-o", dir]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "ecli: clang not found: tried $CLANG, clang-19, clang on PATH (install clang-19 or pass --clang)\n",
    });
  });

  test("run decodes examples/bootstrap's events exactly, then releases everything", async () => {
    const run = await RunningEcli.start(["-j", pkg], bare());
    const pid = await child(["/usr/bin/true"]);
    await Bun.sleep(300);
    const { code, stdout, stderr } = await run.stop();
    expect(code).toBe(0);
    expect(stderr).toMatch(/^ecli: 2 programs attached [\d.]+ ms after start\n$/);
    const events = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as BootstrapEvent);
    expect(events.find((e) => e.pid === pid && !e.exit_event)).toEqual({
      pid, ppid: process.pid, exit_code: 0, duration_ns: 0, comm: "true", filename: "/usr/bin/true", exit_event: false,
    });
    const exit = events.find((e) => e.pid === pid && e.exit_event)!;
    expect(exit).toMatchObject({ pid, ppid: process.pid, exit_code: 0, comm: "true", filename: "", exit_event: true });
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
