/**
 * A guard against compression bombs in uploads: a package's zlib-deflated object must
 * inflate to no more than its declared `bpf_object_size` (itself capped), checked with a
 * bounded inflate before the package is read in full.
 */
import { inflateSync } from "node:zlib";
import { decodeMsgpackRoot, isMsgpackPackage } from "@eunomia/loader/package";
import { ApiError } from "./api-error.ts";

/** The largest BPF object the server accepts (inflated). */
export const MAX_OBJECT_BYTES = 64 << 20;

/** The compressed object and its declared size, when `bytes` holds them where expected. */
function compressedObject(bytes: Uint8Array): { compressed: Uint8Array; declared: number } | undefined {
  try {
    let root: Record<string, unknown>;
    let compressed: unknown;
    if (isMsgpackPackage(bytes)) {
      const decoded = decodeMsgpackRoot(bytes);
      if (!decoded.zlibVerbatim) return undefined;
      root = decoded.root as unknown as Record<string, unknown>;
      compressed = root.bpf_object;
    } else {
      root = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      compressed = typeof root.bpf_object === "string" ? Buffer.from(root.bpf_object, "base64") : undefined;
    }
    const declared = root.bpf_object_size;
    return compressed instanceof Uint8Array && typeof declared === "number" ? { compressed, declared } : undefined;
  } catch {
    return undefined; // malformed: reading the package says exactly how
  }
}

/**
 * @throws ApiError 422 when the declared size is above {@link MAX_OBJECT_BYTES} or the
 *   object inflates to more than it. Other defects are left to readPackage's messages.
 */
export function guardInflatedSize(bytes: Uint8Array): void {
  const found = compressedObject(bytes);
  if (!found) return;
  const { compressed, declared } = found;
  if (declared > MAX_OBJECT_BYTES) throw new ApiError(422, `bpf_object_size ${declared} is above the server's limit of ${MAX_OBJECT_BYTES} bytes`);
  try {
    inflateSync(compressed, { maxOutputLength: Math.max(1, declared) });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new ApiError(422, `bpf_object inflates to more than its bpf_object_size (${declared} bytes)`);
  }
}
