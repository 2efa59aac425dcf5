/**
 * The OCI image manifest that carries a package, as ORAS carries artifacts: an
 * `artifactType` and a config blob of our own media type, the package itself as the one
 * layer (its media type tells the JSON form from the MessagePack form), and the package's
 * name, version and description as `org.opencontainers.image.*` annotations.
 * A WebAssembly module (wasm-bpf) travels the way wasm-to-oci stores modules, so other
 * wasm tools recognise it: config `application/vnd.wasm.config.v1+json`, the module as a
 * `application/vnd.wasm.content.layer.v1+wasm` layer, no artifactType.
 */
import type { PackageMeta } from "../package/index.ts";
import { sha256Digest } from "./digest.ts";
import { OciError } from "./oci-error.ts";

export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
export const PACKAGE_ARTIFACT_TYPE = "application/vnd.eunomia.package.v1";
export const PACKAGE_CONFIG_MEDIA_TYPE = "application/vnd.eunomia.package.config.v1+json";
export const PACKAGE_LAYER_MEDIA_TYPES = {
  json: "application/vnd.eunomia.package.layer.v1+json",
  msgpack: "application/vnd.eunomia.package.layer.v1+msgpack",
} as const;
export const WASM_CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v1+json";
export const WASM_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+wasm";

export const ANNOTATION_TITLE = "org.opencontainers.image.title";
export const ANNOTATION_VERSION = "org.opencontainers.image.version";
export const ANNOTATION_DESCRIPTION = "org.opencontainers.image.description";

/** A stored package's form, as its layer media type says ("wasm": a WebAssembly module). */
export type LayerForm = keyof typeof PACKAGE_LAYER_MEDIA_TYPES | "wasm";

const LAYER_MEDIA_TYPES: Record<LayerForm, string> = { ...PACKAGE_LAYER_MEDIA_TYPES, wasm: WASM_LAYER_MEDIA_TYPE };

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** A blob to upload, with its descriptor. */
export interface BlobContent { descriptor: Descriptor; bytes: Uint8Array }

/** The manifest and the blobs it names, ready to push. */
export interface BuiltManifest {
  config: BlobContent;
  layer: BlobContent;
  manifest: Uint8Array;
  digest: string;
}

const FILE_NAMES: Record<LayerForm, string> = { json: "package.json", msgpack: "package.msgpack", wasm: "app.wasm" };

/**
 * The annotations a package's metadata gives: title (the object's name), version and
 * description (the doc comment's description, else its brief), each only when present.
 */
export function packageAnnotations(meta: PackageMeta): Record<string, string> {
  const doc = meta.bpf_skel.doc ?? {};
  const out: Record<string, string> = { [ANNOTATION_TITLE]: meta.bpf_skel.obj_name };
  if (doc.version) out[ANNOTATION_VERSION] = doc.version;
  const description = doc.description || doc.brief;
  if (description) out[ANNOTATION_DESCRIPTION] = description;
  return out;
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const describe = (mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>): Descriptor =>
  ({ mediaType, digest: sha256Digest(bytes), size: bytes.length, ...(annotations && { annotations }) });

/**
 * Builds the manifest of a package: `bytes` in `form`, `annotations` on the manifest.
 * Deterministic: the same package and annotations give the same digest.
 * @example const built = buildPackageManifest(bytes, "json", { "org.opencontainers.image.title": "bootstrap_bpf" });
 */
export function buildPackageManifest(bytes: Uint8Array, form: LayerForm, annotations: Record<string, string>): BuiltManifest {
  const configBytes = encode({
    form,
    name: annotations[ANNOTATION_TITLE],
    version: annotations[ANNOTATION_VERSION],
    description: annotations[ANNOTATION_DESCRIPTION],
  });
  const wasm = form === "wasm";
  const config = { descriptor: describe(wasm ? WASM_CONFIG_MEDIA_TYPE : PACKAGE_CONFIG_MEDIA_TYPE, configBytes), bytes: configBytes };
  // A module's layer is named as the module file was (its title annotation), when that looks like one.
  const title = wasm && /^[^/]+\.wasm$/.test(annotations[ANNOTATION_TITLE] ?? "") ? annotations[ANNOTATION_TITLE] : FILE_NAMES[form];
  const layer = { descriptor: describe(LAYER_MEDIA_TYPES[form], bytes, { [ANNOTATION_TITLE]: title }), bytes };
  const manifest = encode({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    ...(!wasm && { artifactType: PACKAGE_ARTIFACT_TYPE }),
    config: config.descriptor,
    layers: [layer.descriptor],
    ...(Object.keys(annotations).length > 0 && { annotations }),
  });
  return { config, layer, manifest, digest: sha256Digest(manifest) };
}

/** What pulling needs from a manifest: the package layer, its form, the annotations. */
export interface PackageManifest { layer: Descriptor; form: LayerForm; annotations: Record<string, string> }

function isDescriptor(d: unknown): d is Descriptor {
  const x = d as Descriptor;
  return typeof x === "object" && x !== null && typeof x.mediaType === "string" && typeof x.digest === "string" &&
    Number.isSafeInteger(x.size) && x.size >= 0;
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * Reads a pulled manifest and finds the package layer in it.
 * @throws OciError when it is not an OCI/Docker manifest, or holds no package layer
 *   (e.g. a container image).
 */
export function parsePackageManifest(bytes: Uint8Array, what: string): PackageManifest {
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new OciError(`${what}: the manifest is not JSON`);
  }
  if (typeof root !== "object" || root === null) throw new OciError(`${what}: the manifest is not a JSON object`);
  if (root.mediaType === OCI_INDEX_MEDIA_TYPE || Array.isArray(root.manifests)) {
    throw new OciError(`${what} is an image index (several platforms), not an eunomia package`);
  }
  if (root.schemaVersion !== 2 || !Array.isArray(root.layers) || !isDescriptor(root.config)) {
    throw new OciError(`${what}: not an OCI image manifest (schemaVersion 2 with config and layers)`);
  }
  const layers = root.layers.filter(isDescriptor);
  const forms = Object.entries(LAYER_MEDIA_TYPES) as [LayerForm, string][];
  for (const layer of layers) {
    const form = forms.find(([, type]) => type === layer.mediaType)?.[0];
    if (form) return { layer, form, annotations: stringRecord(root.annotations) };
  }
  const kinds = [...new Set(layers.map((l) => l.mediaType))].join(", ") || "none";
  throw new OciError(`${what} is not an eunomia package (config ${root.config.mediaType}; layers: ${kinds})`);
}
