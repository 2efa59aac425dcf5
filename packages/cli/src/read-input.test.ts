import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, readInput } from "./read-input.ts";

const dir = mkdtempSync(join(tmpdir(), "read-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readInput", () => {
  test("a file whose name reads like a registry reference is still the file", async () => {
    mkdirSync(join(dir, "localhost:5000"));
    writeFileSync(join(dir, "localhost:5000/pkg"), "file bytes");
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(new TextDecoder().decode(await readInput("localhost:5000/pkg"))).toBe("file bytes");
    } finally {
      process.chdir(cwd);
    }
  });

  test("a reference to a registry that is not there: one line saying both", async () => {
    const reading = readInput("127.0.0.1:1/eunomia/x:v1");
    await expect(reading).rejects.toThrow(InputError);
    await expect(reading).rejects.toThrow("cannot read 127.0.0.1:1/eunomia/x:v1: no such file, and cannot reach registry 127.0.0.1:1 at http://127.0.0.1:1: connection refused");
  });

  test("a missing plain file is 'no such file'", async () => {
    await expect(readInput(join(dir, "absent.json"))).rejects.toThrow(`cannot read ${join(dir, "absent.json")}: no such file`);
  });
});
