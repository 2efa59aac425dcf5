/**
 * Writing the JSON package form, byte-compatible with the original compiler's.
 */
import { encodeBase64 } from "./base64.ts";
import type { PackageJson, PackageMeta } from "./types.ts";
import { validateMeta } from "./validate-meta.ts";

/**
 * Builds the JSON form: the ELF zlib-deflated (level 9, with zlib header) and
 * base64-encoded, its inflated length, and `meta` (checked first; missing
 * `export_types`/`eunomia_version` are filled in). Throws {@link PackageError} for bad meta.
 *
 * @example
 * const json = writePackageJson(await Bun.file("prog.bpf.o").bytes(), meta);
 * await Bun.write("package.json", JSON.stringify(json));
 */
export function writePackageJson(object: Uint8Array, meta: PackageMeta): PackageJson {
  const checked = validateMeta(structuredClone(meta));
  // Loaded here, not at import: node:zlib costs every `ecli run` ~15 ms, and only builds write.
  // (Bun.deflateSync writes raw deflate only; the format needs the zlib header.)
  const { deflateSync } = require("node:zlib") as typeof import("node:zlib");
  const compressed = deflateSync(object, { level: 9 });
  return { bpf_object: encodeBase64(compressed), bpf_object_size: object.length, meta: checked };
}
