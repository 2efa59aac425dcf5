/**
 * Builds what the bench runs, into a scratch directory: the generator and the C consumer
 * with gcc, and bench.bpf.c with the real `ecli build` once per ring size (the C consumer
 * loads the .bpf.o that build writes beside package.json, so both run one object).
 */
import { mkdirSync } from "node:fs";
import { $ } from "bun";

/** A compiled bench program: the package and its object. */
export interface BenchPackage { packagePath: string; objectPath: string; ringBytes: number }

/** Compiles a C file of tools/bench with `gcc -O2`; returns the binary's path. */
export async function compileC(benchDir: string, source: string, outPath: string, libs: string[] = []): Promise<string> {
  await $`gcc -O2 -Wall -Wextra -o ${outPath} ${benchDir}/${source} ${libs}`.quiet();
  return outPath;
}

/**
 * Builds tools/bench/bench.bpf.c with `ecli build`, its ring buffer `ringBytes` long
 * (a power of two, at least a page), into `outDir`.
 * @throws Error when ringBytes is not a power of two or the build fails.
 */
export async function buildBenchPackage(ecli: string, benchDir: string, outDir: string, ringBytes: number): Promise<BenchPackage> {
  if (ringBytes < 4096 || (ringBytes & (ringBytes - 1)) !== 0) throw new Error(`ring size ${ringBytes} is not a power of two of at least 4096 bytes`);
  mkdirSync(outDir, { recursive: true });
  await $`${ecli} build ${benchDir}/bench.bpf.c ${benchDir}/bench.bpf.h -o ${outDir} --cflag -DBENCH_RING_BYTES=${ringBytes}`.quiet();
  return { packagePath: `${outDir}/package.json`, objectPath: `${outDir}/bench.bpf.o`, ringBytes };
}

/** Builds another example (e.g. examples/bootstrap) with `ecli build` into `outDir`. */
export async function buildExample(ecli: string, source: string, header: string, outDir: string): Promise<BenchPackage> {
  mkdirSync(outDir, { recursive: true });
  await $`${ecli} build ${source} ${header} -o ${outDir}`.quiet();
  const object = source.replace(/^.*\//, "").replace(/\.c$/, ".o");
  return { packagePath: `${outDir}/package.json`, objectPath: `${outDir}/${object}`, ringBytes: 0 };
}
