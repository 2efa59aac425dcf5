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
import { CHECKS, driverScript, PACKAGES, PROGRAMS } from "./checks.ts";
import { consoleTail, parseConsole, type ConsoleReport } from "./console.ts";
import { withoutHeld } from "./held-objects.ts";
import { selectedKernels } from "./kernels.ts";
import { runKernel, type KernelOutput, type Payload } from "./run-kernel.ts";

const KERNELS = selectedKernels(process.env.KERNELS);
let payload: Payload;
/** Each kernel's report, for the comparison across kernels at the end. */
const reports = new Map<string, ConsoleReport>();

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
  for (const p of PROGRAMS) {
    const cc = Bun.spawnSync([process.env.CLANG ?? "clang-19", "-O1", "-o", join(dir, "packages", p.output), join(ROOT, p.source)]);
    if (cc.exitCode !== 0) throw new Error(`clang ${p.source} failed: ${cc.stderr.toString()}`);
  }
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
      try {
        output = await runKernel(kernel, payload);
      } catch (e) {
        // e.g. qemu-system-x86_64 missing: every test of this kernel fails with the reason.
        output = { text: `could not run: ${e instanceof Error ? e.message : String(e)}`, seconds: 0, timedOut: false, exitCode: null };
      }
      report = parseConsole(output.text);
      reports.set(kernel.name, report);
      // The whole console, for a failure's post-mortem (the CI summary reads only .xml/.log).
      mkdirSync(join(ROOT, ".test-results"), { recursive: true });
      writeFileSync(join(ROOT, ".test-results", `kernel-${kernel.name}.console.txt`), output.text);
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
        expect(await withoutHeld(await leaksAfterRelease(before))).toEqual({ progs: [], maps: [], links: [] });
        return;
      }
      const info = report.checks.get("matrix")?.info;
      if (!info?.["objects-before"]) throw new Error(`no object listing: ${failure()}`);
      expect(objectIds(info["objects-after"])).toEqual(objectIds(info["objects-before"]));
    });
  });
}

if (KERNELS.length > 1) {
  describe("every kernel", () => {
    const names = KERNELS.map((k) => k.name).join(", ");
    for (const check of CHECKS.filter((c) => c.portable)) {
      test(`${check.name}: the same decoded results on ${names}`, () => {
        const results = KERNELS.map((k) => {
          const run = reports.get(k.name)?.checks.get(check.name);
          if (!run) throw new Error(`no result for ${check.name} on ${k.name}`);
          return { kernel: k.name, result: check.portable!(run) };
        });
        for (const r of results.slice(1)) expect(r).toEqual({ kernel: r.kernel, result: results[0].result });
      });
    }
  });
}
