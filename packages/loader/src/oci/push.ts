/** Pushes a package or a WebAssembly module to a registry as an OCI artifact (see manifest.ts for its shape). */
import { isMsgpackPackage, PackageError, readPackage } from "../package/index.ts";
import { buildPackageManifest, OCI_MANIFEST_MEDIA_TYPE, packageAnnotations, type BlobContent, type LayerForm } from "./manifest.ts";
import { OciError } from "./oci-error.ts";
import { formatReference, parseReference } from "./reference.ts";
import { RegistryClient, type OciOptions } from "./registry-client.ts";

export interface PushOptions extends OciOptions {
  /** Manifest annotations added to (or replacing) those taken from the package's doc metadata. */
  annotations?: Record<string, string>;
}

export interface PushResult {
  /** The manifest's digest: `registry/repository@digest` names exactly what was pushed. */
  digest: string;
  /** The reference pushed to, normalised (e.g. `127.0.0.1:5000/bootstrap:v1`). */
  reference: string;
  /** The layer's form and size in bytes. */
  form: LayerForm;
  size: number;
}

/** Uploads a blob unless the repository already has it (HEAD first, then POST + PUT). */
async function uploadBlob(client: RegistryClient, blob: BlobContent): Promise<void> {
  const { digest } = blob.descriptor;
  const head = await client.request("HEAD", `blobs/${digest}`, { access: "push" });
  if (head.ok) return;
  if (head.status !== 404) await client.fail(head, `checking blob ${digest}`);
  const start = await client.request("POST", "blobs/uploads/", { access: "push" });
  if (start.status !== 202) await client.fail(start, "starting an upload");
  await start.body?.cancel();
  const location = start.headers.get("location");
  if (!location) throw new OciError(`${client.where} started an upload but gave no Location`);
  const target = new URL(location, client.url("blobs/uploads/"));
  target.searchParams.set("digest", digest);
  const put = await client.request("PUT", target.href, {
    access: "push",
    body: blob.bytes,
    headers: { "Content-Type": "application/octet-stream", "Content-Length": String(blob.bytes.length) },
  });
  if (put.status !== 201) await client.fail(put, `uploading blob ${digest}`);
  await put.body?.cancel();
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** The form of `bytes` and the annotations it gives, after checking it is a valid package or module. */
function validated(bytes: Uint8Array): { form: LayerForm; annotations: Record<string, string> } {
  if (bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b)) {
    if (!WebAssembly.validate(bytes)) throw new PackageError("the bytes start with \\0asm but are not a valid WebAssembly module");
    return { form: "wasm", annotations: {} };
  }
  const pkg = readPackage(bytes);
  return { form: isMsgpackPackage(bytes) ? "msgpack" : "json", annotations: packageAnnotations(pkg.meta) };
}

/**
 * Pushes a package (either form; validated first) or a WebAssembly module (told by its
 * `\0asm` magic; validated) to `ref` (`host[:port]/repo:tag`).
 * @throws OciError for a bad reference, an unreachable registry or a refusal;
 *   PackageError when `bytes` are neither a valid package nor a valid module.
 * @example const { digest } = await pushPackage("127.0.0.1:5000/bootstrap:v1", await Bun.file("package.json").bytes());
 */
export async function pushPackage(ref: string, bytes: Uint8Array, opts: PushOptions = {}): Promise<PushResult> {
  const parsed = parseReference(ref);
  if (parsed.digest) throw new OciError(`push to a tag, not a digest (${ref}): the registry computes the digest`);
  const { form, annotations } = validated(bytes);
  const built = buildPackageManifest(bytes, form, { ...annotations, ...opts.annotations });
  const client = new RegistryClient(parsed, opts);
  await uploadBlob(client, built.config);
  await uploadBlob(client, built.layer);
  const put = await client.request("PUT", `manifests/${parsed.tag}`, {
    access: "push",
    body: built.manifest,
    headers: { "Content-Type": OCI_MANIFEST_MEDIA_TYPE },
  });
  if (put.status !== 201) await client.fail(put, `pushing the manifest of ${formatReference(parsed)}`);
  await put.body?.cancel();
  const stored = put.headers.get("docker-content-digest");
  if (stored && stored !== built.digest) {
    throw new OciError(`${client.where} stored the manifest as ${stored}, not ${built.digest} (it rewrote the manifest)`);
  }
  return { digest: built.digest, reference: formatReference(parsed), form, size: bytes.length };
}
