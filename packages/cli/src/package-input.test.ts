import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "@eunomia/compiler";
import { btfFromElf, parseElf } from "@eunomia/decoder";
import { jsonToMsgpack } from "@eunomia/loader/package";
import { guessExportStruct, packageForm, packageFromBytes } from "./package-input.ts";
import { InputError } from "./read-input.ts";

const EXAMPLE = join(import.meta.dir, "../../../examples/bootstrap");
let object: Uint8Array;
let jsonText: string;

// Built here, not read from examples/: a fresh clone has no build outputs.
beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), "package-input-"));
  try {
    const built = await build({ source: join(EXAMPLE, "bootstrap.bpf.c"), header: join(EXAMPLE, "bootstrap.bpf.h"), outDir: out });
    object = new Uint8Array(readFileSync(built.objectPath));
    jsonText = readFileSync(built.packagePath, "utf8");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

describe("packageForm", () => {
  test("tells the forms apart by their first bytes", () => {
    expect(packageForm(object)).toBe("elf");
    expect(packageForm(jsonToMsgpack(jsonText))).toBe("msgpack");
    expect(packageForm(new TextEncoder().encode(jsonText))).toBe("json");
    expect(packageForm(new Uint8Array())).toBe("json");
  });
});

describe("a plain .bpf.o", () => {
  test("exports the struct its __eunomia_dummy global points at", () => {
    expect(guessExportStruct(btfFromElf(parseElf(object)))).toBe("event");
  });

  test("gets the same metadata the compiler wrote into package.json", async () => {
    const pkg = await packageFromBytes(object, "/x/bootstrap.bpf.o");
    const built = JSON.parse(jsonText).meta;
    expect(pkg.meta.bpf_skel.obj_name).toBe("bootstrap_bpf");
    expect(pkg.meta.bpf_skel.progs).toEqual(built.bpf_skel.progs);
    expect(pkg.meta.export_types).toEqual(built.export_types);
    expect(pkg.object).toBe(object);
  });

  test("an ELF that is not BPF is a one-line InputError", async () => {
    const host = new Uint8Array(readFileSync("/usr/bin/true"));
    await expect(packageFromBytes(host, "/usr/bin/true")).rejects.toThrow(InputError);
    await expect(packageFromBytes(host, "/usr/bin/true")).rejects.toThrow(/^\/usr\/bin\/true is not a BPF object with BTF: machine \d+ is not BPF/);
  });

  test("reads all three forms to the same program", async () => {
    const fromJson = await packageFromBytes(new TextEncoder().encode(jsonText), "package.json");
    const fromBin = await packageFromBytes(jsonToMsgpack(jsonText), "x.bin");
    expect(fromBin).toEqual(fromJson);
  });
});
