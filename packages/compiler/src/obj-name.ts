import { basename } from "node:path";

/**
 * The skeleton name of an object file, as bpftool derives it: the file name without
 * ".o", every character other than letters, digits and '_' turned into '_'.
 * @example objNameFromPath("/x/bootstrap.bpf.o") // "bootstrap_bpf"
 */
export function objNameFromPath(path: string): string {
  const file = basename(path);
  const stem = file.endsWith(".o") ? file.slice(0, -2) : file;
  return stem.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * The object file name for a source: "prog.bpf.c" becomes "prog.bpf.o".
 * @example objectFileName("/x/prog.bpf.c") // "prog.bpf.o"
 */
export function objectFileName(sourcePath: string): string {
  const file = basename(sourcePath);
  return `${file.endsWith(".c") ? file.slice(0, -2) : file}.o`;
}
