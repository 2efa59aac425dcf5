/**
 * The CPUs the kernel has online, from /sys/devices/system/cpu/online ("0-3,5,7-8").
 */
import { readFileSync } from "node:fs";
import { Errno } from "./errno.ts";
import { LibbpfError } from "./errors.ts";

const ONLINE_PATH = "/sys/devices/system/cpu/online";
const RANGE = /^(\d+)(?:-(\d+))?$/;

/**
 * Parses a kernel CPU list such as "0-3,5" into ascending CPU numbers.
 * Throws {@link LibbpfError} (EINVAL) for text that is not a CPU list.
 *
 * @example
 * parseCpuList("0-2,4\n") // [0, 1, 2, 4]
 */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === "") return [];
  for (const part of trimmed.split(",")) {
    const match = RANGE.exec(part.trim());
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!match || last < first || last > 1 << 20) {
      throw new LibbpfError("parse CPU list", Errno.EINVAL, { detail: `${JSON.stringify(part)} is not a CPU or range` });
    }
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The online CPUs. Throws {@link LibbpfError} if sysfs cannot be read or parsed. */
export function onlineCpus(): number[] {
  let text: string;
  try {
    text = readFileSync(ONLINE_PATH, "utf8");
  } catch (cause) {
    throw new LibbpfError(`read ${ONLINE_PATH}`, Errno.ENOENT, { detail: String(cause), cause });
  }
  return parseCpuList(text);
}
