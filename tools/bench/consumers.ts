/**
 * The consumers the bench compares, each described by how to start it, how to know it
 * has attached, and how to count what it received and what was lost.
 */

/** Paths and numbers a consumer's command line is made from. */
export interface ConsumerContext {
  /** Thread-group id of the generator, the program's filter. */
  tgid: number;
  /** package.json made by `ecli build` (ring size of this trial). */
  packagePath: string;
  /** The .bpf.o written beside it (the same object). */
  objectPath: string;
  /** The ring buffer's size in bytes (bpftrace gets perf buffers of the same total). */
  ringBytes: number;
  /** Built C consumer. */
  consumerBin: string;
  ecliBin: string;
  bunBin: string;
  /** tools/bench/ (bench.bt, ecli-stages.ts). */
  benchDir: string;
}

/** How a consumer is run and read. */
export interface ConsumerSpec {
  id: string;
  /** Name in the tables. */
  label: string;
  argv(ctx: ConsumerContext): string[];
  env?(ctx: ConsumerContext): Record<string, string>;
  /** Attached once this appears on stderr ("stderr") or in the output file ("stdout"). */
  ready: { source: "stderr" | "stdout"; pattern: RegExp; settleMs: number };
  /**
   * Where the received count comes from: lines of the output that start with "{", or
   * the consumer's own "received=N" on stderr (consumers that print nothing).
   */
  received: "lines" | "stderr";
  /** Where the lost count comes from: the object's .bss counter, or bpftrace's "Lost N events" lines. */
  lost: "bss" | "bpftrace";
  /** Its output lines are the JSON lines of `ecli run -j` (checked field by field). */
  printsJson: boolean;
}

const CPUS = navigator.hardwareConcurrency;

/** Pages per CPU of bpftrace's perf buffers (a power of two) holding `bytes` over all CPUs. */
export function perfPagesPerCpu(bytes: number, cpus = CPUS): number {
  const pages = Math.max(1, Math.ceil(bytes / cpus / 4096));
  return 2 ** Math.ceil(Math.log2(pages));
}

/** The C libbpf consumer printing JSON with printf: the reference. */
export const C_JSON: ConsumerSpec = {
  id: "c-json",
  label: "C libbpf, printf JSON",
  argv: (c) => [c.consumerBin, c.objectPath, "--tgid", String(c.tgid)],
  ready: { source: "stderr", pattern: /programs attached/, settleMs: 0 },
  received: "lines",
  lost: "bss",
  printsJson: true,
};

/** The C consumer counting events in its callback, printing nothing. */
export const C_DISCARD: ConsumerSpec = {
  id: "c-discard",
  label: "C libbpf, discard",
  argv: (c) => [c.consumerBin, c.objectPath, "--tgid", String(c.tgid), "--discard"],
  ready: { source: "stderr", pattern: /programs attached/, settleMs: 0 },
  received: "stderr",
  lost: "bss",
  printsJson: false,
};

/** `ecli run -j` on the package. */
export const ECLI: ConsumerSpec = {
  id: "ecli",
  label: "ecli run -j",
  argv: (c) => [c.ecliBin, "run", "-j", "-v", c.packagePath, "--target-tgid", String(c.tgid)],
  ready: { source: "stderr", pattern: /programs attached/, settleMs: 0 },
  received: "lines",
  lost: "bss",
  printsJson: true,
};

/** bpftrace printf of the same JSON. */
export const BPFTRACE: ConsumerSpec = {
  id: "bpftrace",
  label: "bpftrace printf",
  argv: (c) => ["bpftrace", `${c.benchDir}/bench.bt`, String(c.tgid)],
  env: (c) => ({ BPFTRACE_PERF_RB_PAGES: String(perfPagesPerCpu(c.ringBytes)) }),
  // "Attaching 1 probe..." is printed before the probe is attached: give it a moment.
  ready: { source: "stdout", pattern: /Attaching \d+ probe/, settleMs: 500 },
  received: "lines",
  lost: "bpftrace",
  printsJson: true,
};

/** tools/bench/ecli-stages.ts stopping after `stage` (see there). */
export function stageConsumer(stage: string): ConsumerSpec {
  const writes = stage.endsWith("write");
  return {
    id: `stage-${stage}`,
    label: `stage ${stage}`,
    argv: (c) => [c.bunBin, `${c.benchDir}/ecli-stages.ts`, stage, c.packagePath, String(c.tgid)],
    ready: { source: "stderr", pattern: /stages: attached/, settleMs: 0 },
    received: writes ? "lines" : "stderr",
    lost: "bss",
    printsJson: writes,
  };
}

/** Keys of the bench event, in declaration order: every JSON consumer must print these. */
export const EVENT_KEYS = ["pid", "tid", "uid", "cpu", "seq", "ts_ns", "comm", "fd", "whence"];
