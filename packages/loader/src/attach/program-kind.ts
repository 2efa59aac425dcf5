/**
 * What kind of attachment a program's ELF section asks for, and the function or
 * event it names ("fentry/do_unlinkat" → kind fentry, target do_unlinkat).
 */

/** Attach kinds the runtime knows; "other" is left to bpf_program__attach. */
export type ProgramKind =
  | "tracepoint" | "raw_tp" | "tp_btf" | "kprobe" | "kretprobe" | "uprobe" | "uretprobe"
  | "fentry" | "fexit" | "lsm" | "perf_event" | "xdp" | "tc" | "other";

// Section prefixes as libbpf spells them (the part before the first "/"); ".s" = sleepable.
const PREFIXES: ReadonlyArray<readonly [string, ProgramKind]> = [
  ["tp", "tracepoint"], ["tracepoint", "tracepoint"],
  ["raw_tp", "raw_tp"], ["raw_tracepoint", "raw_tp"], ["raw_tp.w", "raw_tp"], ["raw_tracepoint.w", "raw_tp"],
  ["tp_btf", "tp_btf"],
  ["kprobe", "kprobe"], ["kretprobe", "kretprobe"], ["ksyscall", "kprobe"], ["kretsyscall", "kretprobe"],
  ["uprobe", "uprobe"], ["uprobe.s", "uprobe"], ["uretprobe", "uretprobe"], ["uretprobe.s", "uretprobe"],
  ["fentry", "fentry"], ["fentry.s", "fentry"], ["fexit", "fexit"], ["fexit.s", "fexit"],
  ["fmod_ret", "fexit"], ["fmod_ret.s", "fexit"],
  ["lsm", "lsm"], ["lsm.s", "lsm"],
  ["perf_event", "perf_event"],
  ["xdp", "xdp"], ["xdp.frags", "xdp"],
  ["tc", "tc"], ["classifier", "tc"],
];
const KINDS = new Map(PREFIXES);

/**
 * The attach kind of an ELF section name.
 *
 * @example
 * programKind("tp/sched/sched_process_exec") // "tracepoint"
 * programKind("uretprobe//bin/bash:readline") // "uretprobe"
 */
export function programKind(section: string): ProgramKind {
  const slash = section.indexOf("/");
  return KINDS.get(slash < 0 ? section : section.slice(0, slash)) ?? "other";
}

/** What follows the kind in the section ("do_unlinkat" for "fentry/do_unlinkat"), or "". */
export function sectionTarget(section: string): string {
  const slash = section.indexOf("/");
  return slash < 0 ? "" : section.slice(slash + 1);
}
