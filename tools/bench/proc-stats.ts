/**
 * What the kernel says about a running process, read from /proc: CPU time (user + system,
 * every thread of the process, exited ones included) and resident memory.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux x86-64 and arm64). */
export const USER_HZ = 100;

/** One reading of a process. */
export interface ProcSample {
  /** performance.now() when read. */
  at: number;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
  /** Resident set size now, kB (VmRSS). */
  rssKb: number;
  /** Peak resident set size so far, kB (VmHWM). */
  peakRssKb: number;
}

/**
 * utime + stime (clock ticks) from the text of /proc/<pid>/stat. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last ')'.
 * @throws Error when the text is not a stat line.
 * @example cpuTicksFromStat("42 (a b) S 1 ... 7 3 ...") // utime 7 + stime 3 = 10
 */
export function cpuTicksFromStat(text: string): number {
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (close < 0 || !Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  return utime + stime;
}

/** A "Name:  123 kB" value of /proc/<pid>/status, in kB (0 when absent). */
export function statusKb(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** Reads process `pid`, or undefined once it has exited (or is a zombie without memory). */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return { at: performance.now(), cpuTicks: cpuTicksFromStat(stat), rssKb: statusKb(status, "VmRSS"), peakRssKb: statusKb(status, "VmHWM") };
  } catch {
    return undefined;
  }
}
