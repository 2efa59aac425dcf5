/**
 * Options for {@link BpfObject.attachAll}: what an ELF section cannot say (an
 * interface, a pid, a sampling frequency) or what a user overrides.
 */

/** Where uprobe/uretprobe programs attach; each field overrides the section's own. */
export interface UprobeOptions {
  /** Path of the binary or shared library (section "uprobe/PATH:FUNC" gives the default). */
  binary?: string;
  /** Function symbol in that binary. */
  func?: string;
  /** Only this process; default every process. */
  pid?: number;
}

/** How `SEC("perf_event")` programs sample. */
export interface PerfEventOptions {
  /** Samples per second per CPU (software CPU clock); default {@link DEFAULT_PERF_FREQUENCY}. */
  frequency?: number;
  /** CPUs to sample on; default every online CPU. */
  cpus?: number[];
}

/** Where `SEC("xdp")` programs attach. */
export interface XdpOptions {
  /** Interface index (see `ip link`). */
  ifindex: number;
  /**
   * XDP_FLAGS_* (e.g. 2 = SKB mode, 4 = driver mode). 0 attaches through a bpf_link;
   * other flags attach through netlink (detached again on close).
   */
  flags?: number;
}

/** `enum bpf_tc_attach_point`. */
export const BPF_TC_INGRESS = 1;
/** `enum bpf_tc_attach_point`. */
export const BPF_TC_EGRESS = 2;

/** Where `SEC("tc")` programs attach (a clsact qdisc is created when missing). */
export interface TcOptions {
  ifindex: number;
  /** {@link BPF_TC_INGRESS} or {@link BPF_TC_EGRESS}; default ingress. */
  attachPoint?: typeof BPF_TC_INGRESS | typeof BPF_TC_EGRESS;
  /** Filter handle; default 0 (the kernel picks one). */
  handle?: number;
  /** Filter priority; default 0 (the kernel picks one). */
  priority?: number;
}

/** Per-kind attach options; a per-program entry in `programs` wins over the kind's. */
export interface AttachOptions {
  uprobe?: UprobeOptions;
  perfEvent?: PerfEventOptions;
  xdp?: XdpOptions;
  tc?: TcOptions;
  /** Options for one program, by its C function name. */
  programs?: Record<string, Omit<AttachOptions, "programs">>;
}

/** The sampling frequency when none is given (the libbpf-tools `profile` default, off the tick). */
export const DEFAULT_PERF_FREQUENCY = 49;
