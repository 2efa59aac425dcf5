/**
 * The kernel matrix: every check of checks.ts on every kernel of kernels.ts, one test per
 * (kernel, check). The packages are built once on this machine (against its own
 * vmlinux.h) and run unchanged everywhere: on another kernel they load through CO-RE.
 * Run it with `npm run test:kernels` (tools/kernels/run.sh); KERNELS=debian-6.1 runs a part.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ecliCommand, ROOT } from "../../test/helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "../../test/helpers/kernel.ts";
import { CHECKS, driverScript, PACKAGES } from "./checks.ts";
import { consoleTail, parseConsole, type ConsoleReport } from "./console.ts";
import { selectedKernels } from "./kernels.ts";
import { runKernel, type KernelOutput, type Payload } from "./run-kernel.ts";

const KERNELS = selectedKernels();
let payload: Payload;

beforeAll(async () => {
  const [binary, ...rest] = ecliCommand();
  if (rest.length) throw new Error("the kernel matrix needs a compiled ecli: build dist/ecli (tools/build-binary.sh) or set ECLI_BIN");
  const dir = mkdtempSync(join(tmpdir(), "kcheck-payload-"));
  payload = { ecli: binary, dir };
  const built = await Promise.all(
    PACKAGES.map(async (p) => {
      const out = join(dir, "packages", p.name);
      mkdirSync(out, { recursive: true });
      const args = ["build", join(ROOT, p.source), ...(p.header ? [join(ROOT, p.header)] : []), "-o", out];
      return { name: p.name, ...(await ecli(args)) };
    }),
  );
  for (const b of built) if (b.code !== 0) throw new Error(`ecli build ${b.name} failed: ${b.stderr}`);
  writeFileSync(join(dir, "driver.sh"), driverScript(readFileSync(join(import.meta.dir, "driver-prelude.sh"), "utf8")));
});

afterAll(() => {
  if (payload) rmSync(payload.dir, { recursive: true, force: true });
});

/** Ids listed on a `kobjects` line ("prog=1,2, map= link="), by kind. */
function objectIds(line = ""): Record<string, string[]> {
  return Object.fromEntries(line.trim().split(/\s+/).filter(Boolean).map((part) => {
    const [kind, ids = ""] = part.split("=");
    return [kind, ids.split(",").filter(Boolean)];
  }));
}

for (const kernel of KERNELS) {
  describe(`kernel ${kernel.name}`, () => {
    let output: KernelOutput | undefined;
    let report: ConsoleReport = parseConsole("");
    let before: KernelObjects;
    const failure = () => `${output ? `${output.timedOut ? "timed out" : `exit ${output.exitCode}`} after ${output.seconds.toFixed(1)} s` : "did not run"}; console tail:\n${consoleTail(output?.text ?? "")}`;

    beforeAll(async () => {
      if (kernel.image === "native") before = await kernelObjects();
      output = await runKernel(kernel, payload);
      report = parseConsole(output.text);
      console.log(`kernel ${kernel.name} (${report.release ?? "did not boot"}): ${output.seconds.toFixed(1)} s`);
    });

    test("runs every check to the end (booted, driver done, no timeout)", () => {
      if (!report.release || !report.done || output?.timedOut) throw new Error(failure());
      expect(report.release).toBeTruthy();
    });

    for (const check of CHECKS) {
      test(check.name, () => {
        const run = report.checks.get(check.name);
        if (!run || run.code === null) throw new Error(`no result for ${check.name}: ${failure()}`);
        check.verify(run, kernel);
      });
    }

    test("nothing is left loaded", async () => {
      if (kernel.image === "native") {
        expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
        return;
      }
      const info = report.checks.get("matrix")?.info;
      if (!info?.["objects-before"]) throw new Error(`no object listing: ${failure()}`);
      expect(objectIds(info["objects-after"])).toEqual(objectIds(info["objects-before"]));
    });
  });
}
