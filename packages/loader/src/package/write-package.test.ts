import { describe, expect, test } from "bun:test";
import { inflateSync } from "node:zlib";
import { PackageError } from "./package-error.ts";
import type { PackageMeta } from "./types.ts";
import { writePackageJson } from "./write-package.ts";

const meta: PackageMeta = {
  bpf_skel: { obj_name: "x", data_sections: [], maps: null, progs: null },
  export_types: [],
  eunomia_version: "1.0.0",
};

describe("writePackageJson", () => {
  test("deflates with a zlib header at level 9, base64-encodes and records the size", () => {
    const object = new TextEncoder().encode("\x7fELF".padEnd(600, "abc"));
    const json = writePackageJson(object, meta);
    const compressed = Buffer.from(json.bpf_object, "base64");
    expect([compressed[0], compressed[1]]).toEqual([0x78, 0xda]); // zlib, best compression
    expect(json.bpf_object).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(new Uint8Array(inflateSync(compressed))).toEqual(object);
    expect(json.bpf_object_size).toBe(600);
    expect(json.meta).toEqual(meta);
    expect(Object.keys(json)).toEqual(["bpf_object", "bpf_object_size", "meta"]);
  });

  test("refuses malformed meta and does not modify the caller's object", () => {
    const bad = { ...meta, bpf_skel: { ...meta.bpf_skel, obj_name: 5 } } as unknown as PackageMeta;
    expect(() => writePackageJson(new Uint8Array(4), bad)).toThrow(PackageError);
    const partial = { bpf_skel: meta.bpf_skel } as PackageMeta;
    const json = writePackageJson(new Uint8Array(4), partial);
    expect(json.meta.export_types).toEqual([]);
    expect("export_types" in partial).toBe(false);
  });
});
