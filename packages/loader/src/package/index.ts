/**
 * @module @eunomia/loader/package
 *
 * The eunomia package format (DESIGN.md section 3): types, reading with full
 * validation and writing. No FFI here, so tools that only inspect or build packages
 * can import this without libbpf.
 *
 * @example
 * import { readPackage, writePackageJson } from "@eunomia/loader/package";
 * const pkg = readPackage(text);
 * const again = writePackageJson(pkg.object, pkg.meta);
 */
export type * from "./types.ts";
export { PackageError } from "./package-error.ts";
export { readPackage } from "./read-package.ts";
export { writePackageJson } from "./write-package.ts";
export { validateMeta } from "./validate-meta.ts";
export {
  decodeMsgpackRoot,
  isMsgpackPackage,
  jsonToMsgpack,
  MSGPACK_FORMAT_VERSION,
  MSGPACK_MAGIC,
  msgpackBody,
  packageToJson,
  writePackageMsgpack,
  type MsgpackRoot,
} from "./msgpack-form.ts";
