import { describe, expect, test } from "bun:test";
import type { PackageMeta } from "../package/index.ts";
import { sha256Digest } from "./digest.ts";
import { buildPackageManifest, packageAnnotations, parsePackageManifest } from "./manifest.ts";
import { OciError } from "./oci-error.ts";

const meta = (doc?: PackageMeta["bpf_skel"]["doc"]): PackageMeta => ({
  bpf_skel: { obj_name: "bootstrap_bpf", data_sections: [], maps: null, progs: null, ...(doc && { doc }) },
  export_types: [],
  eunomia_version: "0.3.4",
});
const bytes = new TextEncoder().encode('{"bpf_object":"x"}');
const text = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

describe("packageAnnotations", () => {
  test("title from the object name, version and description from the doc comment", () => {
    expect(packageAnnotations(meta({ version: "1.2", brief: "short", description: "Trace exec." }))).toEqual({
      "org.opencontainers.image.title": "bootstrap_bpf",
      "org.opencontainers.image.version": "1.2",
      "org.opencontainers.image.description": "Trace exec.",
    });
    expect(packageAnnotations(meta({ brief: "short" }))).toEqual({
      "org.opencontainers.image.title": "bootstrap_bpf",
      "org.opencontainers.image.description": "short",
    });
    expect(packageAnnotations(meta())).toEqual({ "org.opencontainers.image.title": "bootstrap_bpf" });
  });
});

describe("buildPackageManifest", () => {
  test("an OCI manifest: our artifact type and config, the package as its one layer", () => {
    const built = buildPackageManifest(bytes, "json", { "org.opencontainers.image.title": "t", "org.opencontainers.image.version": "1" });
    const configBytes = new TextEncoder().encode('{"form":"json","name":"t","version":"1"}');
    expect(built.config.bytes).toEqual(configBytes);
    expect(text(built.manifest)).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.eunomia.package.v1",
      config: { mediaType: "application/vnd.eunomia.package.config.v1+json", digest: sha256Digest(configBytes), size: configBytes.length },
      layers: [{
        mediaType: "application/vnd.eunomia.package.layer.v1+json", digest: sha256Digest(bytes), size: bytes.length,
        annotations: { "org.opencontainers.image.title": "package.json" },
      }],
      annotations: { "org.opencontainers.image.title": "t", "org.opencontainers.image.version": "1" },
    });
    expect(built.digest).toBe(sha256Digest(built.manifest));
  });

  test("deterministic, and the MessagePack form has its own layer type", () => {
    const a = buildPackageManifest(bytes, "msgpack", {});
    expect(a.digest).toBe(buildPackageManifest(bytes, "msgpack", {}).digest);
    expect(a.layer.descriptor.mediaType).toBe("application/vnd.eunomia.package.layer.v1+msgpack");
    expect(text(a.manifest).annotations).toBeUndefined();
  });

  test("parsePackageManifest reads back what was built", () => {
    const built = buildPackageManifest(bytes, "msgpack", { a: "b" });
    expect(parsePackageManifest(built.manifest, "x")).toEqual({ layer: built.layer.descriptor, form: "msgpack", annotations: { a: "b" } });
  });
});

describe("a WebAssembly module", () => {
  const module = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

  test("is stored as wasm-to-oci stores one: wasm config and layer types, no artifactType, the layer named after the module", () => {
    const built = buildPackageManifest(module, "wasm", { "org.opencontainers.image.title": "bootstrap.wasm" });
    const configBytes = new TextEncoder().encode('{"form":"wasm","name":"bootstrap.wasm"}');
    expect(text(built.manifest)).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.wasm.config.v1+json", digest: sha256Digest(configBytes), size: configBytes.length },
      layers: [{
        mediaType: "application/vnd.wasm.content.layer.v1+wasm", digest: sha256Digest(module), size: module.length,
        annotations: { "org.opencontainers.image.title": "bootstrap.wasm" },
      }],
      annotations: { "org.opencontainers.image.title": "bootstrap.wasm" },
    });
  });

  test("a layer without a module-like title is app.wasm; parsePackageManifest finds the module", () => {
    const built = buildPackageManifest(module, "wasm", { "org.opencontainers.image.title": "../x" });
    expect(built.layer.descriptor.annotations).toEqual({ "org.opencontainers.image.title": "app.wasm" });
    expect(parsePackageManifest(built.manifest, "x")).toEqual({ layer: built.layer.descriptor, form: "wasm", annotations: { "org.opencontainers.image.title": "../x" } });
  });
});

describe("parsePackageManifest refuses what is not a package", () => {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
  const layer = { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256Digest(bytes), size: 1 };
  const cases: [unknown, RegExp][] = [
    ["{oops", /not JSON/],
    ["[]", /not an OCI image manifest/],
    [{ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }, /image index/],
    [{ schemaVersion: 1, layers: [] }, /not an OCI image manifest/],
    [{ schemaVersion: 2, config: { ...layer, mediaType: "application/vnd.oci.image.config.v1+json" }, layers: [layer] },
      /x is not an eunomia package \(config application\/vnd.oci.image.config.v1\+json; layers: application\/vnd.oci.image.layer.v1.tar\+gzip\)/],
  ];
  for (const [manifest, why] of cases) {
    test(String(why), () => {
      expect(() => parsePackageManifest(enc(manifest), "x")).toThrow(OciError);
      expect(() => parsePackageManifest(enc(manifest), "x")).toThrow(why);
    });
  }
});
