import { describe, expect, test } from "bun:test";
import { Packr } from "msgpackr";
import { brotliCompressSync, deflateSync, zstdCompressSync } from "node:zlib";
import { join } from "node:path";
import { compileFixture } from "../../fixtures/compile-fixture.ts";
import { jsonToMsgpack, MSGPACK_MAGIC, packageToJson, writePackageMsgpack } from "./msgpack-form.ts";
import { PackageError } from "./package-error.ts";
import { readPackage } from "./read-package.ts";
import type { PackageJson, PackageMeta } from "./types.ts";
import { writePackageJson } from "./write-package.ts";

/** A body with the package header of format `version` (flags 0) in front. */
function withHeader(version: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...MSGPACK_MAGIC, version, 0, ...body]);
}
const plainPackr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

const ELVES = ["kill-echo", "perf-echo", "map-ops", "ring-loss"].map((name) => compileFixture(name));

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "Z", "_", "0", " ", "é", "日本", "😀", "\n", "\"", "\\", "\u0000", "\u2028", "ß"];

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 8));
  const str = () => Array.from({ length: Math.floor(r() * 12) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join("");
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 53)));
    case 3: return (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10);
    case 4: return str();
    case 5: return [4294967295, -2147483648, 2 ** 53 - 1, 0.1, 1e300, -0.5][Math.floor(r() * 6)];
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) obj[str() || "k"] = randomValue(r, depth + 1);
      return obj;
    }
  }
}

function randomMeta(r: () => number): PackageMeta {
  const configs = ["no_export", "default", { btf_type_id: Math.floor(r() * 1000) },
    { custom_members: [{ name: "x€", offset: 8, btf_type_id: 3 }] }];
  const meta: PackageMeta = {
    bpf_skel: {
      obj_name: `prog_${Math.floor(r() * 100)}`,
      data_sections: [{ name: ".rodata", variables: [{ name: "v", type: "unsigned int", description: "ünïcödé ✓", cmdarg: { default: randomValue(r, 2), help: "aide ✓" }, x_null: null } as never] }],
      maps: r() < 0.3 ? null : [{ name: "m", ident: "m", export_config: configs[Math.floor(r() * configs.length)], extra_map_field: randomValue(r, 1) } as never],
      progs: r() < 0.3 ? null : [{ name: "p", attach: "tp/sched/sched_process_exec", link: true, xdpopts: randomValue(r, 1) }],
      doc: { brief: "测试 brief", details: String(randomValue(r, 2)) },
    },
    export_types: [],
    eunomia_version: "1.2.3",
    enable_multiple_export_types: r() < 0.5,
    poll_timeout_ms: Math.floor(r() * 1000),
  };
  for (let i = Math.floor(r() * 3); i > 0; i--) meta[`x_${i}_ключ`] = randomValue(r, 0);
  return meta;
}

/** A JSON-form package: from writePackageJson, or with a foreign zlib stream (default level). */
function randomPackage(r: () => number): PackageJson {
  const elf = ELVES[Math.floor(r() * ELVES.length)];
  const meta = randomMeta(r);
  const pkg = r() < 0.5 ? writePackageJson(elf, meta) : { bpf_object: Buffer.from(deflateSync(elf, { level: 1 + Math.floor(r() * 8) })).toString("base64"), bpf_object_size: elf.length, meta };
  const out: Record<string, unknown> = r() < 0.5 ? { top_extra: randomValue(r, 0), ...pkg } : { ...pkg, "trailing ✓": randomValue(r, 0) };
  return JSON.parse(JSON.stringify(out)) as PackageJson;
}

describe("MessagePack package form", () => {
  test("round trip JSON -> msgpack -> JSON is exact and byte-stable on 80 random packages", () => {
    for (let seed = 1; seed <= 80; seed++) {
      const json = randomPackage(rng(seed));
      const text = JSON.stringify(json);
      const bin = jsonToMsgpack(text);
      const back = packageToJson(bin);
      expect(JSON.stringify(back)).toBe(text); // same fields, order and base64 text
      expect(back).toEqual(json);
      expect(jsonToMsgpack(back)).toEqual(bin); // deterministic bytes
    }
  }, 60_000);

  test("starts with EUNP and version 2, and reads back through readPackage", () => {
    const elf = ELVES[0];
    const json = writePackageJson(elf, randomMeta(rng(7)));
    const bin = writePackageMsgpack(json);
    expect([...bin.subarray(0, 5)]).toEqual([...MSGPACK_MAGIC, 2]);
    const pkg = readPackage(bin);
    expect(pkg.object).toEqual(elf);
    expect(pkg.meta).toEqual(readPackage(JSON.stringify(json)).meta);
    // A validated Package encodes to the same bytes as its JSON form.
    expect(writePackageMsgpack(pkg)).toEqual(writePackageMsgpack(JSON.parse(JSON.stringify(json))));
  });

  test("is at most half the JSON form's size, and converts back exactly", () => {
    // BTF type columns and the dictionary do most of it (examples/bootstrap is checked end
    // to end in test/package-forms.test.ts). Objects as `ecli build` leaves them: no DWARF.
    for (const name of ["kill-echo", "perf-echo", "map-ops", "ring-loss"]) {
      const elf = compileFixture(name, { stripped: true });
      const json = writePackageJson(elf, { bpf_skel: { obj_name: "fixture", data_sections: [], maps: null, progs: null }, export_types: [], eunomia_version: "1.0.0" });
      const text = JSON.stringify(json);
      const bin = jsonToMsgpack(text);
      expect(JSON.stringify(packageToJson(bin))).toBe(text);
      expect(bin.length).toBeLessThanOrEqual(text.length * 0.5);
    }
  });

  test("still reads version 1 (Brotli, no BTF columns)", () => {
    const elf = ELVES[1];
    const json = writePackageJson(elf, randomMeta(rng(11)));
    const root = { ...json, bpf_object: elf };
    const v1 = withHeader(1, brotliCompressSync(plainPackr.pack(root)));
    expect(readPackage(v1).object).toEqual(elf);
    expect(JSON.stringify(packageToJson(v1))).toBe(JSON.stringify(json));
  });

  describe("malformed input gives a one-line PackageError", () => {
    const good = writePackageMsgpack(writePackageJson(ELVES[0], randomMeta(rng(3))));
    const cases: [string, Uint8Array, RegExp][] = [
      ["bad version", Uint8Array.from([...good.subarray(0, 4), 9, ...good.subarray(5)]), /format version 9 is not supported/],
      ["unknown flags", Uint8Array.from([...good.subarray(0, 5), 0x80, ...good.subarray(6)]), /unknown flags/],
      ["header only", good.subarray(0, 5), /truncated in its header/],
      ["truncated body", good.subarray(0, good.length - 20), /not valid (zstd|MessagePack)/],
      ["bad compression", Uint8Array.from([...good.subarray(0, 6), 1, 2, 3, 4, 5, 6, 7]), /not valid zstd/],
      ["bad compression, version 1", withHeader(1, Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), /not valid Brotli/],
      ["body not [root, columns]", withHeader(2, zstdCompressSync(Uint8Array.of(0x93, 1, 2, 3))), /must be \[root, BTF columns\]/],
      ["root not a map", withHeader(2, zstdCompressSync(Uint8Array.of(0x92, 1, 0xc0))), /root must be a map/],
      ["root not a map, version 1", withHeader(1, brotliCompressSync(Uint8Array.of(0x93, 1, 2, 3))), /root must be a map/],
      ["zstd bomb", withHeader(2, zstdCompressSync(new Uint8Array(65 * 1024 * 1024))), /inflates to more than 64 MiB/],
      ["Brotli bomb", withHeader(1, brotliCompressSync(new Uint8Array(65 * 1024 * 1024))), /inflates to more than 64 MiB/],
      ["bad msgpack", withHeader(2, zstdCompressSync(Uint8Array.of(0x82, 0xa1))), /not valid MessagePack/],
      ["no bpf_object bin", withHeader(2, zstdCompressSync(plainPackr.pack([{ a: 1 }, null]))), /bpf_object must be a bin/],
      ["BTF columns not [offset, bin]", withHeader(2, zstdCompressSync(plainPackr.pack([{ bpf_object: ELVES[0] }, [1]]))), /must be \[offset, bin\]/],
      ["BTF columns offset outside", withHeader(2, zstdCompressSync(plainPackr.pack([{ bpf_object: ELVES[0] }, [1e9, Uint8Array.of(0)]]))), /offset 1000000000 is outside/],
      ["BTF columns malformed", withHeader(2, zstdCompressSync(plainPackr.pack([{ bpf_object: ELVES[0] }, [0, Uint8Array.of(5, 1, 1, 1, 1, 1, 1, 1, 1, 1)]]))), /BTF columns are malformed/],
    ];
    for (const [name, bytes, message] of cases) {
      test(name, () => {
        let caught: unknown;
        try {
          readPackage(bytes);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(PackageError);
        expect((caught as Error).message).toMatch(message);
        expect((caught as Error).message).not.toContain("\n");
      });
    }
  });
});
