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
import { ecli, ROOT, type Finished } from "./helpers/ecli.ts";
import { BOOTSTRAP_HEADER, BOOTSTRAP_SOURCE, child, type BootstrapEvent } from "./helpers/bootstrap.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const BINARY = process.env.ECLI_BIN ?? join(ROOT, "dist/ecli");
const VERSION = (await Bun.file(join(ROOT, "packages/cli/package.json")).json()).version as string;
let dir: string;
let copy: string;
let pkg: string;
let before: KernelObjects;

/** The argv prefix that runs the copy with nothing on PATH and no other environment. */
const bare = () => ["/usr/bin/env", "-i", "PATH=/nonexistent", "HOME=/tmp", copy];

async function runBare(args: string[]): Promise<Finished> {
  const proc = Bun.spawn([...bare(), ...args], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

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
    const proc = Bun.spawn([...bare(), "run", "-v", "-j", pkg], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const stdout = new Response(proc.stdout).text();
    let stderr = "";
    const stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) stderr += decoder.decode(chunk, { stream: true });
    })();
    const deadline = Date.now() + 20_000;
    while (!/programs attached/.test(stderr)) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        await stderrDone;
        throw new Error(`the bare ecli did not attach (exit ${proc.exitCode}): ${stderr}`);
      }
      await Bun.sleep(20);
    }
    const pid = await child(["/usr/bin/true"]);
    await Bun.sleep(300);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
    await stderrDone;
    expect(stderr).toMatch(/^ecli: 2 programs attached [\d.]+ ms after start\n$/);
    const events = (await stdout).split("\n").filter(Boolean).map((l) => JSON.parse(l) as BootstrapEvent);
    expect(events.find((e) => e.pid === pid && !e.exit_event)).toEqual({
      pid, ppid: process.pid, exit_code: 0, duration_ns: 0, comm: "true", filename: "/usr/bin/true", exit_event: false,
    });
    const exit = events.find((e) => e.pid === pid && e.exit_event)!;
    expect(exit).toMatchObject({ pid, ppid: process.pid, exit_code: 0, comm: "true", filename: "", exit_event: true });
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
