/** Pulls a package (or a WebAssembly module) from a registry, verifying every digest on the way. */
import { sha256Digest, verifyDigest } from "./digest.ts";
import { DOCKER_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, parsePackageManifest, type LayerForm } from "./manifest.ts";
import { OciError } from "./oci-error.ts";
import { formatReference, parseReference } from "./reference.ts";
import { RegistryClient, type OciOptions } from "./registry-client.ts";

export interface PullResult {
  /** The package, exactly as pushed (JSON or MessagePack form), or the WebAssembly module. */
  bytes: Uint8Array;
  /** The manifest's digest. */
  digest: string;
  /** The manifest's annotations (org.opencontainers.image.title, .version, .description, ...). */
  annotations: Record<string, string>;
  form: LayerForm;
  /** The reference pulled, normalised. */
  reference: string;
}

const MAX_MANIFEST_BYTES = 4 << 20;
const MAX_PACKAGE_BYTES = 256 << 20;

async function bodyBytes(response: Response, limit: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) throw new OciError(`${what} is too large (${declared} bytes; at most ${limit})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > limit) throw new OciError(`${what} is too large (${bytes.length} bytes; at most ${limit})`);
  return bytes;
}

/**
 * Pulls the package at `ref` (`host[:port]/repo[:tag|@digest]`). The manifest is checked
 * against the digest the reference names (or the registry's Docker-Content-Digest), the
 * package against its layer's size and digest.
 * @throws OciError for a bad reference, an unreachable registry, a missing package, a
 *   refusal, or content whose digest does not match.
 * @example const { bytes, digest } = await pullPackage("127.0.0.1:5000/bootstrap:v1");
 */
export async function pullPackage(ref: string, opts: OciOptions = {}): Promise<PullResult> {
  const parsed = parseReference(ref);
  const name = formatReference(parsed);
  const client = new RegistryClient(parsed, opts);
  const got = await client.request("GET", `manifests/${parsed.digest ?? parsed.tag}`, {
    access: "pull",
    headers: { Accept: [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE].join(", ") },
  });
  if (got.status === 404) {
    await got.body?.cancel();
    throw new OciError(`${name} not found in ${client.where} (HTTP 404)`, { status: 404 });
  }
  if (!got.ok) await client.fail(got, `fetching the manifest of ${name}`);
  const manifest = await bodyBytes(got, MAX_MANIFEST_BYTES, `the manifest of ${name}`);
  let digest: string;
  if (parsed.digest) {
    verifyDigest(manifest, parsed.digest, `the manifest of ${name}`);
    digest = parsed.digest;
  } else {
    const announced = got.headers.get("docker-content-digest");
    if (announced?.startsWith("sha256:") || announced?.startsWith("sha512:")) verifyDigest(manifest, announced, `the manifest of ${name}`);
    digest = announced ?? sha256Digest(manifest);
  }
  const { layer, form, annotations } = parsePackageManifest(manifest, name);
  if (layer.size > MAX_PACKAGE_BYTES) throw new OciError(`the package of ${name} is too large (${layer.size} bytes)`);
  const blob = await client.request("GET", `blobs/${layer.digest}`, { access: "pull" });
  if (blob.status === 404) {
    await blob.body?.cancel();
    throw new OciError(`the package blob ${layer.digest} of ${name} is missing from ${client.where} (HTTP 404)`, { status: 404 });
  }
  if (!blob.ok) await client.fail(blob, `fetching the package blob of ${name}`);
  const bytes = await bodyBytes(blob, MAX_PACKAGE_BYTES, `the package of ${name}`);
  if (bytes.length !== layer.size) {
    throw new OciError(`size mismatch for the package of ${name}: the manifest says ${layer.size} bytes, the registry sent ${bytes.length}`);
  }
  verifyDigest(bytes, layer.digest, `the package of ${name}`);
  return { bytes, digest, annotations, form, reference: name };
}
