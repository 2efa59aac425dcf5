/** Reads a package from a file, an http(s) URL, or standard input (`-`). */
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
 * Returns the bytes named by `source`.
 * @throws InputError when the file is missing or unreadable, or the URL fails.
 */
export async function readInput(source: string): Promise<Uint8Array> {
  if (source === "") throw new UsageError("no package given");
  if (source === "-") return new Uint8Array(await Bun.stdin.arrayBuffer());
  if (/^https?:\/\//.test(source)) return readUrl(source);
  try {
    return await Bun.file(source).bytes();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new InputError(`cannot read ${source}: ${why}`);
  }
}
