/**
 * Every bad input gets one clear line on stderr and a non-zero exit: no stack trace,
 * no crash, and nothing left in the kernel.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { ecli, ROOT, type Finished } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

let dir: string;
let good: { bpf_object: string; bpf_object_size: number; meta: Record<string, unknown> };
let goodText: string;
let before: KernelObjects;

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function withObject(elf: Uint8Array, size = elf.length): string {
  return JSON.stringify({ ...good, bpf_object: deflateSync(elf).toString("base64"), bpf_object_size: size });
}

/** One line on stderr, naming the problem, non-zero exit, no stack trace. */
function expectOneLineError(done: Finished, pattern: RegExp, code = 1): void {
  expect(done.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(done.stderr).toMatch(pattern);
  expect(done.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(done.code).toBe(code);
  expect(done.stdout).toBe("");
}

beforeAll(async () => {
  before = await kernelObjects();
  dir = mkdtempSync(join(tmpdir(), "ecli-bad-"));
  chmodSync(dir, 0o755);
  const built = await ecli(["build", "examples/bootstrap/bootstrap.bpf.c", "examples/bootstrap/bootstrap.bpf.h", "-o", dir]);
  expect(built.code).toBe(0);
  goodText = await Bun.file(join(dir, "package.json")).text();
  good = JSON.parse(goodText);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bad packages", () => {
  test("a missing file", async () => {
    expectOneLineError(await ecli(["run", join(dir, "nope.json")]), /^ecli: cannot read .*nope\.json: no such file$/m);
  });

  test("truncated JSON", async () => {
    const path = write("truncated.json", goodText.slice(0, goodText.length / 2));
    expectOneLineError(await ecli(["run", path]), /JSON/i);
  });

  test("a JSON document that is not a package", async () => {
    const path = write("shape.json", JSON.stringify({ bpf_object: "", meta: { bpf_skel: 3 } }));
    expectOneLineError(await ecli(["run", path]), /package/);
  });

  test("bpf_object that is not base64", async () => {
    const path = write("base64.json", JSON.stringify({ ...good, bpf_object: "not*base64!" }));
    expectOneLineError(await ecli(["run", path]), /base64/);
  });

  test("bpf_object that is not zlib data", async () => {
    const path = write("zlib.json", JSON.stringify({ ...good, bpf_object: Buffer.from("hello world, not deflated").toString("base64") }));
    expectOneLineError(await ecli(["run", path]), /inflate|zlib|compress/i);
  });

  test("bpf_object_size that does not match", async () => {
    const path = write("size.json", JSON.stringify({ ...good, bpf_object_size: good.bpf_object_size + 1 }));
    expectOneLineError(await ecli(["run", path]), /bpf_object_size/);
  });

  test("an object that is not a BPF ELF", async () => {
    const path = write("notbpf.json", withObject(await Bun.file("/usr/bin/true").bytes()));
    expectOneLineError(await ecli(["run", path]), /BPF|machine/);
  });

  test("an object that is not ELF at all", async () => {
    const path = write("notelf.json", withObject(new TextEncoder().encode("#!/bin/sh\necho hi\n")));
    expectOneLineError(await ecli(["run", path]), /ELF/);
  });

  test("a truncated ELF", async () => {
    const built = await Bun.file(join(dir, "bootstrap.bpf.o")).bytes();
    const path = write("truncated-elf.json", withObject(built.subarray(0, 200)));
    expectOneLineError(await ecli(["run", path]), /ELF|truncated/i);
  });

  test("garbage on standard input", async () => {
    expectOneLineError(await ecli(["run", "-"], { stdin: new TextEncoder().encode("\u0000\u0001garbage") }), /JSON|package/i);
  });
});

describe("bad command lines", () => {
  test("an unknown program flag lists the valid ones", async () => {
    const done = await ecli(["run", join(dir, "package.json"), "--no-such-flag", "1"]);
    expectOneLineError(done, /unknown flag --no-such-flag.*--min-duration-ns.*--target-pid/, 2);
  });

  test("a value out of range for the variable's type", async () => {
    const done = await ecli(["run", join(dir, "package.json"), "--target-pid", "2147483648"]);
    expectOneLineError(done, /--target-pid/, 2);
  });

  test("a flag without its value", async () => {
    expectOneLineError(await ecli(["run", join(dir, "package.json"), "--min-duration-ns"]), /needs a value/, 2);
  });

  test("an unknown command", async () => {
    expectOneLineError(await ecli(["frobnicate"]), /unknown command/, 2);
  });
});

describe("the kernel says no", () => {
  test("a program the verifier rejects: the error names the verifier's complaint", async () => {
    const out = join(dir, "rejected");
    const built = await ecli(["build", join(ROOT, "test/fixtures/rejected.bpf.c"), "-o", out]);
    expect(built.code).toBe(0);
    const done = await ecli(["run", join(out, "package.json")]);
    expectOneLineError(done, /program 'count_exec' was rejected.*verifier: .*invalid mem access 'map_value_or_null'/);
  });

  test("no privilege: a clear hint instead of a libbpf dump", async () => {
    const path = write("unprivileged.json", goodText);
    chmodSync(path, 0o644);
    const done = await ecli(["run", path], { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"] });
    expectOneLineError(done, /root|CAP_BPF/);
  });

  test("a program that does not compile shows clang's diagnostic and fails", async () => {
    const done = await ecli(["build", join(ROOT, "test/fixtures/broken.bpf.c"), "-o", join(dir, "broken")]);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/broken\.bpf\.c:8:\d+: error: use of undeclared identifier 'undeclared_variable'/);
    expect(done.stderr).not.toMatch(/\n\s+at /);
  });

  test("nothing is left in the kernel after the failures", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
