/** Real-kernel check of the harness: small trials of the C consumer and ecli (needs root, gcc, dist/ecli). */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { kernelObjects, leaksAfterRelease } from "../../test/helpers/kernel.ts";
import { buildBenchPackage, compileC, type BenchPackage } from "./build.ts";
import { C_JSON, ECLI, type ConsumerContext } from "./consumers.ts";
import { checkJsonLine, runTrial } from "./trial.ts";

const BENCH = import.meta.dir;
const ECLI_BIN = process.env.ECLI_BIN ?? resolve(BENCH, "../../dist/ecli");
let work: string;
let gen: string;
let context: Omit<ConsumerContext, "tgid">;

beforeAll(async () => {
  work = mkdtempSync("/tmp/bench-trial-test-");
  gen = await compileC(BENCH, "gen.c", join(work, "gen"));
  const consumerBin = await compileC(BENCH, "consumer.c", join(work, "consumer"), ["-lbpf"]);
  const pkg: BenchPackage = await buildBenchPackage(ECLI_BIN, BENCH, join(work, "pkg"), 1 << 20);
  context = { ...pkg, consumerBin, ecliBin: ECLI_BIN, bunBin: process.execPath, benchDir: BENCH };
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("live and backlog trials of the C consumer and ecli account for every event and leave nothing loaded", async () => {
  const before = await kernelObjects();
  for (const consumer of [C_JSON, ECLI]) {
    for (const mode of ["live", "backlog"] as const) {
      const r = await runTrial({ consumer, mode, events: 5000, rate: 0, genBin: gen, context, workDir: work });
      expect(r.problems).toEqual([]);
      expect(r.sent).toBe(5000);
      // A 1 MiB ring holds 16384 events: nothing can be lost.
      expect(r.received).toBe(5000);
      expect(r.lost).toBe(0);
      expect(r.exitCode).toBe(0);
      expect(r.consumeSeconds).toBeGreaterThan(0);
      expect(r.peakRssKb).toBeGreaterThan(1000);
    }
  }
  expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
}, 120_000);

test("the generator alone makes its events with no consumer", async () => {
  const r = await runTrial({ consumer: undefined, mode: "live", events: 1000, rate: 0, genBin: gen, context, workDir: work });
  expect(r).toMatchObject({ consumer: "gen-alone", sent: 1000, received: 0 });
  expect(r.genSeconds).toBeGreaterThan(0);
});

test("checkJsonLine accepts ecli's line for the generator and names what is wrong otherwise", () => {
  const line = '{"pid":42,"tid":42,"uid":0,"cpu":1,"seq":7,"ts_ns":123,"comm":"gen","fd":4294967295,"whence":0}';
  expect(checkJsonLine(line, 42)).toBeUndefined();
  expect(checkJsonLine(line, 43)).toStartWith("unexpected values");
  expect(checkJsonLine('{"tid":42}', 42)).toStartWith("keys tid");
  expect(checkJsonLine("Lost 3 events", 42)).toStartWith("not JSON");
  expect(checkJsonLine(undefined, 42)).toBe("no JSON line printed");
});
