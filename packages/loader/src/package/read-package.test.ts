import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { compileFixture } from "../../fixtures/compile-fixture.ts";
import { PackageError } from "./package-error.ts";
import { readPackage } from "./read-package.ts";
import type { PackageMeta } from "./types.ts";
import { writePackageJson } from "./write-package.ts";

function sampleMeta(): PackageMeta {
  return {
    bpf_skel: {
      obj_name: "kill_echo",
      data_sections: [
        {
          name: ".rodata",
          variables: [
            { name: "target_tgid", type: "unsigned int", cmdarg: { long: "pid", short: "p", help: "process to watch" } },
            { name: "cookie", type: "unsigned long long" },
          ],
        },
      ],
      maps: [{ name: "ldr_events", ident: "ldr_events" }],
      progs: [{ name: "ldr_kill_echo", attach: "tracepoint/syscalls/sys_enter_kill", link: true }],
    },
    export_types: [{ name: "event", size: 32, type_id: 12, members: [{ name: "tgid", type: "unsigned int" }] }],
    eunomia_version: "1.0.0",
  };
}

const elf = compileFixture("kill-echo");
const goodText = () => JSON.stringify(writePackageJson(elf, sampleMeta()));
const goodJson = () => JSON.parse(goodText()) as Record<string, any>;

/** The PackageError readPackage throws for `input` (fails the test if it returns). */
function rejection(input: string | Uint8Array): PackageError {
  try {
    readPackage(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PackageError);
    expect((error as Error).message).not.toContain("\n");
    return error as PackageError;
  }
  throw new Error("readPackage accepted a bad package");
}

function withObject(bytes: Uint8Array, size = bytes.length): string {
  const json = goodJson();
  json.bpf_object = Buffer.from(deflateSync(bytes)).toString("base64");
  json.bpf_object_size = size;
  return JSON.stringify(json);
}

describe("readPackage accepts", () => {
  test("a package written by writePackageJson, as text or bytes", () => {
    const pkg = readPackage(goodText());
    expect(pkg.object).toEqual(elf);
    expect(pkg.meta).toEqual(sampleMeta());
    expect(readPackage(new TextEncoder().encode(goodText())).object).toEqual(elf);
  });

  test("null maps/progs and older packages without export_types or eunomia_version", () => {
    const json = goodJson();
    json.meta.bpf_skel.maps = null;
    json.meta.bpf_skel.progs = null;
    delete json.meta.export_types;
    delete json.meta.eunomia_version;
    json.meta.future_field = { kept: true };
    const pkg = readPackage(JSON.stringify(json));
    expect(pkg.meta.bpf_skel.maps).toBeNull();
    expect(pkg.meta.bpf_skel.progs).toBeNull();
    expect(pkg.meta.export_types).toEqual([]);
    expect(pkg.meta.eunomia_version).toBe("");
    expect(pkg.meta.future_field).toEqual({ kept: true });
  });
});

describe("readPackage rejects with a one-line PackageError", () => {
  test("invalid, truncated or empty JSON, and bytes that are not UTF-8", () => {
    expect(rejection("{ bpf_object: 1 }").message).toStartWith("package: invalid JSON (");
    const text = goodText();
    expect(rejection(text.slice(0, text.length / 2)).message).toStartWith("package: invalid JSON (");
    expect(rejection("   ").message).toBe("package: the JSON text is empty");
    expect(rejection(new Uint8Array([0x7b, 0xff, 0x7d])).message).toBe("package: the JSON text is not valid UTF-8");
    expect(rejection("[1, 2]").message).toBe("package: the package must be an object (got array)");
  });

  test("missing or mistyped fields, named by their path", () => {
    const cases: [(json: Record<string, any>) => void, string][] = [
      [(j) => delete j.bpf_object, "package: package.bpf_object must be a string (it is missing)"],
      [(j) => (j.bpf_object_size = -1), "package: package.bpf_object_size must be a non-negative integer (got number)"],
      [(j) => delete j.meta, "package: meta must be an object (it is missing)"],
      [(j) => delete j.meta.bpf_skel.obj_name, "package: meta.bpf_skel.obj_name must be a string (it is missing)"],
      [(j) => (j.meta.bpf_skel.progs[0].link = "yes"), "package: meta.bpf_skel.progs[0].link must be a boolean (got string)"],
      [(j) => (j.meta.bpf_skel.maps = {}), "package: meta.bpf_skel.maps must be an array or null (got object)"],
      [(j) => (j.meta.bpf_skel.data_sections[0].variables[1].type = 3), "package: meta.bpf_skel.data_sections[0].variables[1].type must be a string (got number)"],
      [(j) => (j.meta.bpf_skel.data_sections[0].variables[0].cmdarg.short = "pp"), "package: meta.bpf_skel.data_sections[0].variables[0].cmdarg.short must be one character"],
      [(j) => (j.meta.bpf_skel.maps[0].sample = { interval: 1000, type: "pie" }), 'package: meta.bpf_skel.maps[0].sample.type must be one of "log2_hist", "linear_hist", "default_kv"'],
      [(j) => (j.meta.bpf_skel.maps[0].export_config = "sometimes"), 'package: meta.bpf_skel.maps[0].export_config must be "no_export", "default" or an object'],
      [(j) => (j.meta.export_types[0].members = null), "package: meta.export_types[0].members must be an array (got null)"],
      [(j) => (j.meta.poll_timeout_ms = "100"), "package: meta.poll_timeout_ms must be a non-negative integer (got string)"],
    ];
    for (const [mutate, message] of cases) {
      const json = goodJson();
      mutate(json);
      expect(rejection(JSON.stringify(json)).message).toBe(message);
    }
    const json = goodJson();
    json.meta.bpf_skel.progs[0].attach = null;
    expect(rejection(JSON.stringify(json)).path).toBe("meta.bpf_skel.progs[0].attach");
  });

  test("bad base64: wrong alphabet, whitespace, bad length or padding", () => {
    const json = goodJson();
    json.bpf_object = "eJzL$A==";
    expect(rejection(JSON.stringify(json)).message).toBe('package: bpf_object is not valid base64 (character "$" at 4)');
    json.bpf_object = "eJzL\nSA==";
    expect(rejection(JSON.stringify(json)).message).toBe('package: bpf_object is not valid base64 (character "\\n" at 4)');
    json.bpf_object = "eJzLS";
    expect(rejection(JSON.stringify(json)).message).toBe("package: bpf_object is not valid base64 (length 5 or padding)");
    json.bpf_object = "eJ=zLSA=";
    expect(rejection(JSON.stringify(json)).message).toBe("package: bpf_object is not valid base64 (length 8 or padding)");
    json.bpf_object = "eJzL-_A=";
    expect(rejection(JSON.stringify(json)).message).toBe('package: bpf_object is not valid base64 (character "-" at 4)');
  });

  test("data that is not zlib, or inflates to another size than declared", () => {
    const json = goodJson();
    json.bpf_object = Buffer.from(elf.subarray(0, 64)).toString("base64");
    expect(rejection(JSON.stringify(json)).message).toStartWith("package: bpf_object is not valid zlib data (");
    const truncated = goodJson();
    truncated.bpf_object = Buffer.from(Buffer.from(truncated.bpf_object, "base64").subarray(0, 100)).toString("base64");
    expect(rejection(JSON.stringify(truncated)).message).toStartWith("package: bpf_object is not valid zlib data (");
    expect(rejection(withObject(elf, elf.length + 1)).message).toBe(
      `package: bpf_object_size ${elf.length + 1} does not match the inflated object (${elf.length} bytes)`,
    );
  });

  test("an object that is not an ELF, a truncated ELF, or an ELF for another machine", () => {
    const notElf = rejection(withObject(new TextEncoder().encode("just some text, not an ELF file")));
    expect(notElf.message).toStartWith("package: bpf_object is not a valid ELF object (");
    expect(notElf.path).toBe("bpf_object");
    const truncated = rejection(withObject(elf.subarray(0, 200)));
    expect(truncated.message).toStartWith("package: bpf_object is not a valid ELF object (");
    expect(truncated.message).toContain("truncated");
    const x86 = elf.slice();
    new DataView(x86.buffer).setUint16(18, 62, true); // e_machine = EM_X86_64
    expect(rejection(withObject(x86)).message).toBe("package: bpf_object is an ELF for machine 62, not BPF (247)");
  });
});
