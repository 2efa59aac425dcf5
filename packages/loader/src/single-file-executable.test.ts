import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../fixtures/compile-fixture.ts";

const bun = process.execPath;

test("RingBufferReader works inside a `bun build --compile` executable", () => {
  const dir = mkdtempSync(join(tmpdir(), "eunomia-loader-sfe-"));
  try {
    const object = join(dir, "kill-echo.bpf.o");
    writeFileSync(object, compileFixture("kill-echo"));
    const binary = join(dir, "reader");
    const build = Bun.spawnSync([bun, "build", "--compile", join(import.meta.dir, "../fixtures/compiled-reader.ts"), "--outfile", binary]);
    expect(build.stderr.toString()).not.toContain("error");
    expect(build.exitCode).toBe(0);
    // Run from an empty directory: nothing but the binary and libbpf is available.
    const run = Bun.spawnSync([binary, object], { cwd: dir, timeout: 20_000 });
    expect(run.stderr.toString()).toBe("");
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toEqual({ woke: true, seqs: [...Array(25).keys()] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
