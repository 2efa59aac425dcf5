/**
 * Sums the JUnit reports `bun test` wrote and prints the closing line CI reads:
 * "N passed, N failed" (", N skipped" when any were skipped). Bun's JUnit report leaves
 * out errors outside any test (a test file that fails to load), so each project's own
 * summary in its log ("N fail", "N error") is read too and the larger count wins. A run
 * that failed without any of that (a crash, a build error) counts as one failure, so it
 * can never look green.
 * Usage: bun tools/junit-summary.ts <dir> <exit status of the run>
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, runStatus = "0"] = process.argv.slice(2);
// Bun's log, without colour codes.
const readLog = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").replace(/\x1b\[[0-9;]*m/g, "") : "");
let passed = 0, failed = 0, skipped = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".xml"))) {
  const xml = readFileSync(join(dir, file), "utf8");
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0];
  if (!root) {
    console.error(`junit-summary: ${file} has no <testsuites> element`);
    failed++;
    continue;
  }
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  const reported = attr("failures") + attr("errors");
  const log = readLog(join(dir, file.replace(/\.xml$/, ".log")));
  const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}s?\\s*$`, "m").exec(log)?.[1] ?? 0);
  const logPass = log ? count("pass") : Infinity;
  passed += Math.min(attr("tests") - reported - attr("skipped"), logPass);
  failed += Math.max(reported, count("fail") + count("error"));
  skipped += attr("skipped");
}
if (runStatus !== "0" && failed === 0) {
  console.error("junit-summary: the run failed outside any test (see above)");
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
