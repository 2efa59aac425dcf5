import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the compiler keeps generated files: `$XDG_CACHE_HOME/eunomia`, else
 * `~/.cache/eunomia`.
 * @example defaultCacheDir({ XDG_CACHE_HOME: "/tmp/c" }) // "/tmp/c/eunomia"
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "eunomia");
}
