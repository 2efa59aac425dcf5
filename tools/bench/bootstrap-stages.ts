/**
 * Where `ecli run`'s bootstrap time goes: the steps from process start to attached, timed
 * one by one with ecli's own libraries, for one package.
 *
 *   bun tools/bench/bootstrap-stages.ts <package.json> [--json]
 *
 * Steps: runtime start (process start to this module running), importing @eunomia/loader
 * and @eunomia/decoder (node:zlib included), reading the package (JSON, base64, inflate,
 * validation), parsing the ELF and its BTF, libbpf open, load (verifier, CO-RE with the
 * kernel's BTF), attach. Runs under `bun` from source, so module loading differs from
 * the compiled dist/ecli; the other steps are the same code.
 */
const t0 = performance.now();

/** Milliseconds each step took. */
export type BootstrapSteps = Record<string, number>;

async function measure(path: string): Promise<BootstrapSteps> {
  const steps: BootstrapSteps = { "runtime start": t0 };
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    steps[name] = now - t;
    t = now;
  };
  const zlib = await import("node:zlib");
  lap("import node:zlib");
  const loader = await import("@eunomia/loader");
  const decoder = await import("@eunomia/decoder");
  lap("import @eunomia/loader, @eunomia/decoder");
  const text = await Bun.file(path).text();
  lap("read the file");
  const pkg = loader.readPackage(text);
  lap("readPackage (JSON, base64, inflate, checks)");
  const elf = decoder.parseElf(pkg.object);
  decoder.btfFromElf(elf);
  lap("parse ELF and BTF");
  using obj = loader.openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  lap("libbpf open");
  obj.load();
  lap("libbpf load");
  obj.attachAll();
  lap("attach");
  steps["total (process start to attached)"] = performance.now();
  void zlib;
  return steps;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const path = args.find((a) => !a.startsWith("--"));
  if (!path) {
    process.stderr.write("usage: bun tools/bench/bootstrap-stages.ts <package.json> [--json]\n");
    process.exit(2);
  }
  try {
    const steps = await measure(path);
    if (args.includes("--json")) console.log(JSON.stringify(steps));
    else for (const [k, v] of Object.entries(steps)) console.log(`${k.padEnd(48)} ${v.toFixed(1)} ms`);
  } catch (e) {
    process.stderr.write(`bootstrap-stages: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
