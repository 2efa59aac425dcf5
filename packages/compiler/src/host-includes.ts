import { runTool, type Log } from "./run-tool.ts";

const cache = new Map<string, string[]>();

/**
 * The host compiler's `#include <...>` search list (e.g. /usr/include/x86_64-linux-gnu),
 * as reported by `clang -v -E -`. `-target bpf` leaves out the multiarch directory, so
 * a program including <linux/bpf.h> instead of vmlinux.h would miss <asm/types.h>;
 * these directories are appended with `-idirafter`, as libbpf-bootstrap does.
 * Returns [] if clang does not report a list. Cached per clang binary.
 */
export async function hostIncludeDirs(clang: string, log?: Log): Promise<string[]> {
  const known = cache.get(clang);
  if (known) return known;
  const run = await runTool([clang, "-v", "-E", "-x", "c", "/dev/null", "-o", "/dev/null"], { log });
  const lines = run.stderr.split("\n");
  const start = lines.findIndex((l) => l.startsWith("#include <...> search starts here:"));
  const dirs: string[] = [];
  if (start !== -1) {
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith(" ")) break; // "End of search list."
      dirs.push(line.trim().replace(/ \(framework directory\)$/, ""));
    }
  }
  cache.set(clang, dirs);
  return dirs;
}
