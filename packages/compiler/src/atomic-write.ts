import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file so readers see either nothing or the whole content: write a sibling
 * temporary file, then rename it over the target (atomic within one file system).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
