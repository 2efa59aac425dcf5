/** Content digests of the OCI image spec (`sha256:<hex>`, `sha512:<hex>`), computed with Bun.CryptoHasher. */
import { OciError } from "./oci-error.ts";

/** The sha256 digest of `bytes`, e.g. `sha256:e3b0c4...`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
}

/** The digest of `bytes` with the algorithm `digest` names ("sha256" or "sha512"). */
function digestLike(digest: string, bytes: Uint8Array): string {
  const algorithm = digest.slice(0, digest.indexOf(":"));
  if (algorithm !== "sha256" && algorithm !== "sha512") throw new OciError(`unsupported digest algorithm in ${JSON.stringify(digest)}`);
  return `${algorithm}:${new Bun.CryptoHasher(algorithm).update(bytes).digest("hex")}`;
}

/**
 * Checks that `bytes` have the digest `expected`.
 * @throws OciError naming `what` and both digests when they differ.
 */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = digestLike(expected, bytes);
  if (actual !== expected) throw new OciError(`digest mismatch for ${what}: expected ${expected}, got ${actual} (the registry sent corrupted or tampered content)`);
}
