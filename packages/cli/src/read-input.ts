/**
 * Reads a package from a file, an http(s) URL, standard input (`-`), or an OCI registry
 * reference (`host[:port]/repo[:tag|@digest]`, when no file of that name exists).
 */
import { existsSync } from "node:fs";
import { looksLikeReference, OciError, pullPackage } from "@eunomia/loader/oci";
import { UsageError } from "./cli-error.ts";

/** Why an input could not be read, as one line. */
export class InputError extends Error {
  override readonly name = "InputError";
}

const FETCH_TIMEOUT_MS = 15_000;

async function readUrl(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    throw new InputError(`cannot fetch ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new InputError(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Pulls a package from a registry (credentials from the Docker config; see
 * @eunomia/loader/oci). When no registry answers, the name may as well have been a file
 * that is missing, so the message says both.
 */
async function readReference(ref: string): Promise<Uint8Array> {
  try {
    return (await pullPackage(ref)).bytes;
  } catch (err) {
    if (!(err instanceof OciError)) throw err;
    const unreachable = err.message.startsWith("cannot reach ");
    throw new InputError(unreachable ? `cannot read ${ref}: no such file, and ${err.message}` : err.message, { cause: err });
  }
}

/**
 * Returns the bytes named by `source`: a file of that name first, then a registry
 * reference when it looks like one.
 * @throws InputError when the file is missing or unreadable, or the URL or the pull fails.
 */
export async function readInput(source: string): Promise<Uint8Array> {
  if (source === "") throw new UsageError("no package given");
  if (source === "-") return new Uint8Array(await Bun.stdin.arrayBuffer());
  if (/^https?:\/\//.test(source)) return readUrl(source);
  if (looksLikeReference(source) && !existsSync(source)) return readReference(source);
  try {
    return await Bun.file(source).bytes();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new InputError(`cannot read ${source}: ${why}`);
  }
}
