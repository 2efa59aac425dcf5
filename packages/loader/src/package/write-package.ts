/**
 * Writing the JSON package form, byte-compatible with the original compiler's.
 */
import { deflateSync } from "node:zlib";
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
  const compressed = deflateSync(object, { level: 9 });
  return { bpf_object: encodeBase64(compressed), bpf_object_size: object.length, meta: checked };
}
