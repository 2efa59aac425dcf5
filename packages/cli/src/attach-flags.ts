/**
 * ecli's attach options (`--iface`, `--ifindex`, `--tc-attach`, `--uprobe-binary`,
 * `--uprobe-func`, `--pid`, `--freq`, `--cpus`, `--xdp-flags`) and the package's own
 * per-program XDP/TC fields, turned into the loader's {@link AttachOptions}.
 */
import { readFileSync } from "node:fs";
import { BPF_TC_EGRESS, BPF_TC_INGRESS, type AttachOptions, type PackageMeta } from "@eunomia/loader";
import { UsageError } from "./cli-error.ts";

/** The attach flags as given on the command line. */
export interface AttachFlags {
  ifindex?: number;
  iface?: string;
  tcAttach?: "ingress" | "egress";
  uprobeBinary?: string;
  uprobeFunc?: string;
  pid?: number;
  freq?: number;
  cpus?: number[];
  xdpFlags?: number;
}

/** Usage text of the attach flags, one line each. */
export const ATTACH_FLAGS_USAGE = [
  "  --iface NAME | --ifindex N   interface for xdp and tc programs (overrides the package)",
  "  --tc-attach ingress|egress   tc hook (default: the package's, else ingress)",
  "  --xdp-flags N                XDP_FLAGS_* (e.g. 2 = generic/skb mode; attaches through netlink)",
  "  --uprobe-binary PATH         binary of uprobe/uretprobe programs (overrides the section)",
  "  --uprobe-func NAME           function of uprobe/uretprobe programs (overrides the section)",
  "  --pid N                      uprobes fire only in this process",
  "  --freq HZ                    perf_event sampling frequency per CPU (default 49)",
  "  --cpus LIST                  perf_event CPUs, e.g. 0,2-3 (default: every online CPU)",
].join("\n");

function integer(flag: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} takes an integer of at least ${min}, not ${JSON.stringify(text ?? "")}`);
  }
  return n;
}

function text(flag: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} takes a value`);
  return value;
}

/** "0,2-3" → [0, 2, 3]. Throws {@link UsageError}. */
export function parseCpuFlag(value: string | undefined): number[] {
  const list = text("--cpus", value);
  const cpus = new Set<number>();
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new UsageError(`--cpus takes a list such as 0,2-3, not ${JSON.stringify(list)}`);
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) cpus.add(c);
  }
  return [...cpus];
}

/**
 * Consumes one attach flag at `argv[i]` (either `--flag value` or `--flag=value`);
 * returns how many arguments it took (0: not an attach flag). Throws {@link UsageError}.
 */
export function takeAttachFlag(argv: string[], i: number, flags: AttachFlags): number {
  const arg = argv[i];
  const eq = arg.indexOf("=");
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
  const used = eq > 0 ? 1 : 2;
  switch (name) {
    case "--ifindex": flags.ifindex = integer(name, value, 1); return used;
    case "--iface": flags.iface = text(name, value); return used;
    case "--tc-attach": {
      if (value !== "ingress" && value !== "egress") throw new UsageError(`--tc-attach takes ingress or egress, not ${JSON.stringify(value ?? "")}`);
      flags.tcAttach = value;
      return used;
    }
    case "--xdp-flags": flags.xdpFlags = integer(name, value, 0); return used;
    case "--uprobe-binary": flags.uprobeBinary = text(name, value); return used;
    case "--uprobe-func": flags.uprobeFunc = text(name, value); return used;
    case "--pid": flags.pid = integer(name, value, 1); return used;
    case "--freq": flags.freq = integer(name, value, 1); return used;
    case "--cpus": flags.cpus = parseCpuFlag(value); return used;
    default: return 0;
  }
}

/** The ifindex of interface `name` in this network namespace. Throws {@link UsageError}. */
export function interfaceIndex(name: string): number {
  if (!/^[\w.@:-]{1,15}$/.test(name)) throw new UsageError(`--iface: ${JSON.stringify(name)} is not an interface name`);
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
  } catch {
    throw new UsageError(`--iface: no network interface named ${name}`);
  }
}

function numberField(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

function tcPoint(value: unknown): typeof BPF_TC_INGRESS | typeof BPF_TC_EGRESS | undefined {
  if (value === "BPF_TC_EGRESS" || value === BPF_TC_EGRESS) return BPF_TC_EGRESS;
  if (value === "BPF_TC_INGRESS" || value === BPF_TC_INGRESS) return BPF_TC_INGRESS;
  return undefined;
}

/**
 * The loader's attach options: flags win over the package's per-program `ifindex`,
 * `flags`, `tchook` and `tcopts`.
 */
export function attachOptions(flags: AttachFlags, meta: PackageMeta): AttachOptions {
  const flagIfindex = flags.ifindex ?? (flags.iface === undefined ? undefined : interfaceIndex(flags.iface));
  const programs: NonNullable<AttachOptions["programs"]> = {};
  for (const prog of meta.bpf_skel.progs ?? []) {
    const hook = (prog.tchook ?? {}) as Record<string, unknown>;
    const tcopts = (prog.tcopts ?? {}) as Record<string, unknown>;
    const xdpIfindex = flagIfindex ?? numberField(prog.ifindex);
    const tcIfindex = flagIfindex ?? numberField(hook.ifindex);
    const own: Omit<AttachOptions, "programs"> = {};
    if (xdpIfindex !== undefined) own.xdp = { ifindex: xdpIfindex, flags: flags.xdpFlags ?? numberField(prog.flags) ?? 0 };
    if (tcIfindex !== undefined) {
      own.tc = {
        ifindex: tcIfindex,
        attachPoint: flags.tcAttach === "egress" ? BPF_TC_EGRESS : flags.tcAttach === "ingress" ? BPF_TC_INGRESS : tcPoint(hook.attach_point),
        handle: numberField(tcopts.handle),
        priority: numberField(tcopts.priority),
      };
    }
    programs[prog.name] = own;
  }
  return {
    uprobe: { binary: flags.uprobeBinary, func: flags.uprobeFunc, pid: flags.pid },
    perfEvent: { frequency: flags.freq, cpus: flags.cpus },
    programs,
  };
}
