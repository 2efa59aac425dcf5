/**
 * Sums the JUnit reports `bun test` wrote and prints the closing line CI reads:
 * "N passed, N failed" (", N skipped" when any were skipped). A run that failed without
 * a report (a crash, a build error) counts as one failure so it can never look green.
 * Usage: bun tools/junit-summary.ts <dir> <exit status of the run>
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, runStatus = "0"] = process.argv.slice(2);
let tests = 0, failed = 0, skipped = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".xml"))) {
  const xml = readFileSync(join(dir, file), "utf8");
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0];
  if (!root) {
    console.error(`junit-summary: ${file} has no <testsuites> element`);
    failed++;
    continue;
  }
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  tests += attr("tests");
  failed += attr("failures") + attr("errors");
  skipped += attr("skipped");
}
if (runStatus !== "0" && failed === 0) {
  console.error("junit-summary: the run failed outside any test (see above)");
  failed = 1;
}
const passed = tests - failed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
