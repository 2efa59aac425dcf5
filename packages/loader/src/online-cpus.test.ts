import { describe, expect, test } from "bun:test";
import { cpus as osCpus } from "node:os";
import { onlineCpus, parseCpuList } from "./online-cpus.ts";

describe("parseCpuList", () => {
  test.each([
    ["0", [0]],
    ["0-1\n", [0, 1]],
    ["0-2,4,6-7", [0, 1, 2, 4, 6, 7]],
    ["3,1-2", [1, 2, 3]],
    ["", []],
    ["\n", []],
  ])("%j", (text, cpus) => {
    expect(parseCpuList(text)).toEqual(cpus);
  });

  test.each(["a", "1-", "-1", "3-1", "1,,2", "0-99999999"])("rejects %j with a clear error", (text) => {
    expect(() => parseCpuList(text)).toThrow(/^parse CPU list: EINVAL \(invalid argument\): ".*" is not a CPU or range$/);
  });
});

test("onlineCpus() lists this machine's CPUs", () => {
  const cpus = onlineCpus();
  expect(cpus.length).toBe(osCpus().length);
  expect(cpus[0]).toBe(0);
});
