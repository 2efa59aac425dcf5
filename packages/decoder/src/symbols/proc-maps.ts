/**
 * The memory mappings of a process from the text of `/proc/<pid>/maps`, and the lookup
 * of the mapping that holds a user-space address.
 */
import { SymbolError } from "../errors.ts";

/** One line of `/proc/<pid>/maps`. */
export interface ProcMapping {
  /** First address of the mapping. */
  start: bigint;
  /** One past its last address. */
  end: bigint;
  /** e.g. "r-xp". */
  perms: string;
  /** Offset in the mapped file of the byte at `start`. */
  offset: bigint;
  /** Device as "major:minor" in hex, e.g. "08:01". */
  dev: string;
  inode: bigint;
  /** The file, or a pseudo name such as "[heap]", "[vdso]"; empty for anonymous memory. */
  path: string;
  /** The file was deleted (or replaced) after it was mapped: `path` had " (deleted)". */
  deleted: boolean;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) ([-r][-w][-x][-ps]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+)(?: +(.*))?$/i;
const DELETED = " (deleted)";

/**
 * Parses `/proc/<pid>/maps` text into mappings, in address order as the kernel lists them.
 *
 * @throws SymbolError naming the line when a line is not of the kernel's shape.
 * @example
 *   const maps = parseProcMaps(readFileSync(`/proc/${pid}/maps`, "utf8"));
 *   findMapping(maps, 0x55d0c8a01139n)?.path; // "/usr/bin/prog"
 */
export function parseProcMaps(text: string): ProcMapping[] {
  const out: ProcMapping[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    const m = LINE.exec(line);
    if (!m) throw new SymbolError(`bad /proc/<pid>/maps line ${i + 1}: ${JSON.stringify(line.slice(0, 100))}`);
    const start = BigInt(`0x${m[1]}`);
    const end = BigInt(`0x${m[2]}`);
    if (end < start) throw new SymbolError(`bad /proc/<pid>/maps line ${i + 1}: range ends before it starts`);
    let path = m[7] ?? "";
    const deleted = path.endsWith(DELETED);
    if (deleted) path = path.slice(0, -DELETED.length);
    out.push({ start, end, perms: m[3], offset: BigInt(`0x${m[4]}`), dev: m[5], inode: BigInt(m[6]), path, deleted });
  }
  return out;
}

/**
 * The mapping with `start <= address < end`, by binary search (the kernel lists mappings
 * in address order, without overlap); undefined when no mapping holds the address.
 */
export function findMapping(maps: readonly ProcMapping[], address: bigint): ProcMapping | undefined {
  let lo = 0;
  let hi = maps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = maps[mid];
    if (address < m.start) hi = mid - 1;
    else if (address >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}
