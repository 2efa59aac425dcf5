/** Reads a request body without ever holding more than the server's limit. */
import { ApiError } from "./api-error.ts";

/**
 * The whole body of `request`, at most `limit` bytes.
 * @throws ApiError 413 when the body (declared or actual) is larger.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new ApiError(413, `the request body is larger than the server's limit of ${limit} bytes (--max-body)`);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}
