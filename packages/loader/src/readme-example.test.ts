/**
 * The "Use it alone" example of README.md, run exactly as written (its import pointed at
 * this package's entry point) against the event-echo fixture package.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventEchoPackage, writeTempPackage } from "../fixtures/fixture-package.ts";
import { kernelObjects, newSince } from "../fixtures/kernel-objects.ts";

/** The first ```ts block after the heading `## Use it alone`. */
function readmeExample(): string {
  const readme = readFileSync(join(import.meta.dir, "..", "README.md"), "utf8");
  const section = readme.indexOf("\n## Use it alone\n");
  if (section < 0) throw new Error("README.md has no 'Use it alone' section");
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(section));
  if (!block) throw new Error("the 'Use it alone' section has no ts code block");
  return block[1];
}

test("the README's 'Use it alone' example runs and prints the decoded events", async () => {
  const code = readmeExample();
  expect(code).toContain('from "@eunomia/loader"');
  const entry = join(import.meta.dir, "index.ts");
  const dir = mkdtempSync(join(tmpdir(), "eunomia-readme-"));
  const script = join(dir, "example.ts");
  writeFileSync(script, code.replaceAll('"@eunomia/loader"', JSON.stringify(entry)));
  const pkg = writeTempPackage("readme-event-echo", eventEchoPackage());
  const before = kernelObjects("ldr_");
  try {
    const run = Bun.spawn([process.execPath, script], {
      env: { ...process.env, EUNOMIA_PACKAGE: pkg },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe([
      "target_tgid: unsigned int = 0",
      "cookie: unsigned long long = 7",
      "tag: char[8] = none",
      "seq: unsigned int = 0",
      "event 0: tgid self tag readme cookie 7",
      "event 1: tgid self tag readme cookie 7",
      "event 2: tgid self tag readme cookie 7",
      "lost: 0",
      "",
    ].join("\n"));
    // Nothing of the example's is left (the kernel frees maps after an RCU grace period).
    let left = newSince(before, kernelObjects("ldr_"));
    for (let i = 0; i < 150 && left.progs.length + left.maps.length + left.links.length > 0; i++) {
      await Bun.sleep(20);
      left = newSince(before, kernelObjects("ldr_"));
    }
    expect(left).toEqual({ progs: [], maps: [], links: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pkg, { force: true });
  }
}, 20000);
