/**
 * @module @eunomia/loader/oci
 *
 * Packages through an OCI registry (the OCI distribution API over plain fetch(), no FFI):
 * push a package (or a wasm-bpf WebAssembly module) as an artifact, pull it back with
 * every digest verified. Credentials
 * come from the options, else Docker's config file; plain HTTP is used only for
 * registries on this machine unless `insecure` says otherwise.
 *
 * @example
 * import { pullPackage, pushPackage } from "@eunomia/loader/oci";
 * await pushPackage("127.0.0.1:5000/tools/bootstrap:v1", await Bun.file("package.json").bytes());
 * const { bytes, digest, annotations } = await pullPackage("127.0.0.1:5000/tools/bootstrap:v1");
 */
export { OciError } from "./oci-error.ts";
export { formatReference, isLoopback, looksLikeReference, parseReference, type OciReference } from "./reference.ts";
export { parseAuthChallenge, type AuthChallenge } from "./auth-challenge.ts";
export { readDockerCredentials, dockerConfigPath, type Credentials } from "./docker-config.ts";
export { sha256Digest, verifyDigest } from "./digest.ts";
export {
  ANNOTATION_TITLE,
  buildPackageManifest,
  packageAnnotations,
  parsePackageManifest,
  PACKAGE_ARTIFACT_TYPE,
  PACKAGE_CONFIG_MEDIA_TYPE,
  PACKAGE_LAYER_MEDIA_TYPES,
  OCI_MANIFEST_MEDIA_TYPE,
  WASM_CONFIG_MEDIA_TYPE,
  WASM_LAYER_MEDIA_TYPE,
  type LayerForm,
} from "./manifest.ts";
export type { OciOptions } from "./registry-client.ts";
export { pushPackage, type PushOptions, type PushResult } from "./push.ts";
export { pullPackage, type PullResult } from "./pull.ts";
