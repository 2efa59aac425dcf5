/**
 * The libbpf-tools pattern of twin programs for one kernel function (fentry and
 * kprobe, fexit and kretprobe): keep the one this kernel runs, skip the other.
 */
import { programKind, sectionTarget, type ProgramKind } from "./program-kind.ts";

/** A program as far as twin selection needs it. */
export interface TwinCandidate {
  name: string;
  section: string;
}

/** Two programs for the same function and moment: a BTF trampoline one and a kprobe one. */
export interface TwinPair {
  trampoline: TwinCandidate;
  kprobe: TwinCandidate;
  /** The kernel function both attach to. */
  func: string;
}

const PARTNER: Partial<Record<ProgramKind, ProgramKind>> = { fentry: "kprobe", fexit: "kretprobe" };

/** Kernel function named by a kprobe section ("kprobe/do_unlinkat+4" → "do_unlinkat"). */
function kprobeFunc(section: string): string {
  return sectionTarget(section).replace(/\+.*$/, "");
}

/**
 * Finds every fentry/kprobe and fexit/kretprobe pair naming the same kernel function.
 *
 * @example
 * findTwinPairs([{ name: "a", section: "fentry/do_unlinkat" }, { name: "b", section: "kprobe/do_unlinkat" }])
 * // [{ trampoline: {name: "a", ...}, kprobe: {name: "b", ...}, func: "do_unlinkat" }]
 */
export function findTwinPairs(programs: TwinCandidate[]): TwinPair[] {
  const pairs: TwinPair[] = [];
  for (const trampoline of programs) {
    const partner = PARTNER[programKind(trampoline.section)];
    if (!partner) continue;
    const func = sectionTarget(trampoline.section);
    const kprobe = programs.find((p) => programKind(p.section) === partner && kprobeFunc(p.section) === func);
    if (kprobe) pairs.push({ trampoline, kprobe, func });
  }
  return pairs;
}

/** What twin selection decided for one pair. */
export interface TwinChoice {
  pair: TwinPair;
  keep: TwinCandidate;
  skip: TwinCandidate;
  /** A one-line notice for the user. */
  notice: string;
}

/**
 * Chooses one program of each pair: the trampoline one when `trampolineLoads(func)`,
 * otherwise the kprobe one.
 */
export function chooseTwins(pairs: TwinPair[], trampolineLoads: (func: string) => boolean): TwinChoice[] {
  return pairs.map((pair) => {
    const useTrampoline = trampolineLoads(pair.func);
    const keep = useTrampoline ? pair.trampoline : pair.kprobe;
    const skip = useTrampoline ? pair.kprobe : pair.trampoline;
    const why = useTrampoline
      ? `this kernel loads ${programKind(keep.section)} programs`
      : `this kernel refuses ${programKind(skip.section)} programs`;
    return { pair, keep, skip, notice: `skipping program ${skip.name} (${skip.section}): ${why}; using its twin ${keep.name} (${keep.section})` };
  });
}
