/**
 * Strict standard base64 (RFC 4648 alphabet, padded), as the original format uses.
 */
import { PackageError } from "./package-error.ts";

const STANDARD_PADDED = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes `text`, rejecting other alphabets, whitespace and bad padding. Throws {@link PackageError}. */
export function decodeBase64(text: string, field: string): Uint8Array {
  if (text.length % 4 !== 0 || !STANDARD_PADDED.test(text)) {
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    const why = bad >= 0 ? `character ${JSON.stringify(text[bad])} at ${bad}` : `length ${text.length} or padding`;
    throw new PackageError(`${field} is not valid base64 (${why})`, { path: field });
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Encodes `bytes` as standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
