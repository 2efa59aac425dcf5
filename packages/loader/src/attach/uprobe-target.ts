/**
 * The binary and function of a uprobe section, "uprobe/PATH:FUNC[+OFFSET]" (the
 * libbpf spelling; PATH itself starts with "/", so "uprobe//bin/bash:readline").
 */

/** A uprobe target: binary path, function symbol and an offset inside it. */
export interface UprobeTarget {
  binary: string;
  func: string;
  offset: number;
}

/**
 * Parses what follows "uprobe/" or "uretprobe/"; undefined when the section names no
 * target (plain `SEC("uprobe")`, attached by flags).
 *
 * @example
 * parseUprobeTarget("/usr/lib/libc.so.6:malloc+4") // { binary: "/usr/lib/libc.so.6", func: "malloc", offset: 4 }
 */
export function parseUprobeTarget(target: string): UprobeTarget | undefined {
  const m = /^(.+):([A-Za-z_.$@][\w.$@]*)(?:\+(0x[0-9a-fA-F]+|\d+))?$/.exec(target);
  if (!m) return undefined;
  return { binary: m[1], func: m[2], offset: m[3] === undefined ? 0 : Number(m[3]) };
}
