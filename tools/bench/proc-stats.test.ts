import { expect, test } from "bun:test";
import { cpuTicksFromStat, sampleProcess, statusKb } from "./proc-stats.ts";

test("cpuTicksFromStat adds utime and stime, even with ') ' in the name", () => {
  const line = "25084 (a) b) R 25081 25081 18020 0 -1 4194304 99 0 0 0 17 4 0 0 20 0 1 0 283984 3133440 359";
  expect(cpuTicksFromStat(line)).toBe(21);
  expect(() => cpuTicksFromStat("garbage")).toThrow("not a /proc/<pid>/stat line");
});

test("statusKb reads kB fields and gives 0 for absent ones", () => {
  const status = "Name:\tbun\nVmHWM:\t   18716 kB\nVmRSS:\t    2056 kB\n";
  expect(statusKb(status, "VmHWM")).toBe(18716);
  expect(statusKb(status, "VmRSS")).toBe(2056);
  expect(statusKb(status, "VmSwap")).toBe(0);
});

test("sampleProcess reads this process and nothing for a pid that does not exist", () => {
  const s = sampleProcess(process.pid)!;
  expect(s.rssKb).toBeGreaterThan(1000);
  expect(s.peakRssKb).toBeGreaterThanOrEqual(s.rssKb);
  expect(s.cpuTicks).toBeGreaterThanOrEqual(0);
  expect(sampleProcess(0x3fffffff)).toBeUndefined();
});
