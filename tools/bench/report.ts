/**
 * Turns the bench's measurements into the markdown of docs/BENCHMARKS.md: tables of
 * medians over repetitions, ratios against the C consumer and bpftrace, and the bars of
 * DESIGN.md section 8 marked met or missed. Pure: numbers in, text out.
 */
import type { AttachTiming } from "./bootstrap-time.ts";
import type { MicroResult } from "./decoder-micro.ts";
import { median, percentile, range } from "./stats.ts";
import type { TrialResult } from "./trial.ts";

/** Everything one bench run measured. */
export interface BenchResults {
  meta: {
    date: string;
    command: string;
    host: Record<string, string>;
    params: { events: number; backlogEvents: number; reps: number; ringBytes: number; backlogRingBytes: number; rates: number[] };
    loadBefore: string;
    loadAfter: string;
    elapsedSeconds: number;
  };
  live: TrialResult[];
  backlog: TrialResult[];
  paced: TrialResult[];
  stages: TrialResult[];
  bootstrap: { loader: string; object: string; timings: AttachTiming[] }[];
  floor: { name: string; ms: number[] }[];
  /** Per step of bootstrap-stages.ts, the ms of each run. */
  bootstrapSteps?: Record<string, number[]>;
  rss?: { rssKb: number; peakRssKb: number; lines: number };
  micro?: { results: MicroResult[]; buildUs: { decoder: number; formatter: number } };
  /** Kernel objects of ours still present after the run (should be empty). */
  leaks: string[];
}

/** Medians of one consumer's trials. */
export interface Summary {
  consumer: string;
  runs: number;
  sent: number;
  received: number;
  lost: number;
  cpuSeconds: number;
  totalCpuSeconds: number;
  consumeSeconds: number;
  cpuUsPerEvent: number;
  eventsPerSecond: number;
  eventsPerSecondRange: [number, number];
  genSeconds: number;
  peakRssKb: number;
  problems: string[];
}

const LABELS: Record<string, string> = {
  "gen-alone": "generator alone (no program attached)",
  "c-discard": "C libbpf, ring_buffer__poll, discard",
  "c-json": "C libbpf, printf JSON",
  "ecli": "ecli run -j",
  "bpftrace": "bpftrace printf JSON",
};

/** The name a consumer id has in the tables. */
export function label(id: string): string {
  return LABELS[id] ?? id.replace(/^stage-/, "stage: ");
}

/** Medians per consumer, in first-seen order. */
export function summarize(trials: TrialResult[]): Summary[] {
  const groups = new Map<string, TrialResult[]>();
  for (const t of trials) groups.set(t.consumer, [...(groups.get(t.consumer) ?? []), t]);
  return [...groups].map(([consumer, ts]) => {
    const rates = ts.map((t) => (t.consumeSeconds > 0 ? t.received / t.consumeSeconds : NaN));
    return {
      consumer,
      runs: ts.length,
      sent: median(ts.map((t) => t.sent)),
      received: median(ts.map((t) => t.received)),
      lost: median(ts.map((t) => t.lost)),
      cpuSeconds: median(ts.map((t) => t.cpuSeconds)),
      consumeSeconds: median(ts.map((t) => t.consumeSeconds)),
      totalCpuSeconds: median(ts.map((t) => t.totalCpuSeconds)),
      cpuUsPerEvent: median(ts.map((t) => (t.received > 0 ? (t.cpuSeconds / t.received) * 1e6 : NaN))),
      eventsPerSecond: median(rates),
      eventsPerSecondRange: range(rates),
      genSeconds: median(ts.map((t) => t.genSeconds)),
      peakRssKb: median(ts.map((t) => t.peakRssKb)),
      problems: [...new Set(ts.flatMap((t) => t.problems))],
    };
  });
}

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function mb(kb: number): string {
  return kb > 0 ? `${(kb / 1024).toFixed(0)} MB` : "–";
}

function ratio(a: number, b: number): number {
  return b > 0 && Number.isFinite(a) && Number.isFinite(b) ? a / b : NaN;
}

function table(head: string[], rows: string[][], align?: string[]): string {
  const sep = head.map((_, i) => align?.[i] ?? "---");
  return [head, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function find(s: Summary[], id: string): Summary | undefined {
  return s.find((x) => x.consumer === id);
}

/** Table of live runs at full speed. */
export function liveTable(s: Summary[]): string {
  const alone = find(s, "gen-alone")?.genSeconds ?? NaN;
  const rows = s.map((x) => {
    const isGen = x.consumer === "gen-alone";
    const [lo, hi] = x.eventsPerSecondRange;
    return [
      label(x.consumer), int(x.sent), isGen ? "–" : int(x.received), isGen ? "–" : int(x.lost),
      isGen ? "–" : `${fixed(x.cpuSeconds, 2)} (${fixed(x.totalCpuSeconds, 2)})`, isGen ? "–" : fixed(x.cpuUsPerEvent, 2),
      isGen ? "–" : `${int(x.eventsPerSecond)} (${int(lo)}–${int(hi)})`,
      fixed(x.genSeconds, 3), fixed(ratio(x.genSeconds, alone), 2), isGen ? "–" : mb(x.peakRssKb),
    ];
  });
  return table(
    ["consumer", "events sent", "received", "lost", "consumer CPU s (whole life)", "CPU µs/event", "events/s (min–max)", "generator s", "producer slowdown", "peak RSS"],
    rows, ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"],
  );
}

/** Table of backlog drains (consumer stopped while the ring fills, then continued). */
export function backlogTable(s: Summary[]): string {
  const rows = s.map((x) => {
    const [lo, hi] = x.eventsPerSecondRange;
    return [label(x.consumer), int(x.received), int(x.lost), fixed(x.consumeSeconds, 3), `${int(x.eventsPerSecond)} (${int(lo)}–${int(hi)})`, fixed(x.cpuUsPerEvent, 2), mb(x.peakRssKb)];
  });
  return table(["consumer", "events drained", "lost", "drain s", "events/s (min–max)", "CPU µs/event", "peak RSS"], rows,
    ["---", "---:", "---:", "---:", "---:", "---:", "---:"]);
}

/** Table of paced live runs: per rate, per consumer. */
export function pacedTable(trials: TrialResult[]): string {
  const rows = trials.map((t) => [int(t.rate), label(t.consumer), int(t.sent), int(t.received), int(t.lost),
    fixed(t.received > 0 ? (t.cpuSeconds / t.received) * 1e6 : NaN, 2), fixed((t.cpuSeconds / Math.max(t.consumeSeconds, 1e-9)) * 100, 0) + " %", mb(t.peakRssKb)]);
  return table(["rate (events/s)", "consumer", "sent", "received", "lost", "CPU µs/event", "consumer CPU while consuming (% of one CPU)", "peak RSS"], rows,
    ["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"]);
}

/** Per-stage breakdown of ecli's event path from backlog drains of ecli-stages.ts. */
export function stageTable(s: Summary[], ecli?: Summary): string {
  let previous = 0;
  const rows = s.map((x) => {
    const step = x.consumer === "stage-walk" || x.consumer === "stage-decode" || x.consumer === "stage-format" || x.consumer === "stage-write";
    const delta = step ? x.cpuUsPerEvent - previous : NaN;
    if (step) previous = x.cpuUsPerEvent;
    return [label(x.consumer), fixed(x.cpuUsPerEvent, 2), step ? fixed(delta, 2) : "–", int(x.eventsPerSecond), mb(x.peakRssKb)];
  });
  if (ecli) rows.push(["ecli run -j (for comparison)", fixed(ecli.cpuUsPerEvent, 2), "–", int(ecli.eventsPerSecond), mb(ecli.peakRssKb)]);
  return table(["stage (cumulative)", "CPU µs/event", "added by this stage", "events/s", "peak RSS"], rows, ["---", "---:", "---:", "---:", "---:"]);
}

/** Bootstrap (start → attached) table. */
export function bootstrapTable(b: BenchResults["bootstrap"], floor: BenchResults["floor"]): string {
  const rows = b.map((x) => {
    const ext = x.timings.map((t) => t.externalMs);
    return [x.loader, x.object, String(x.timings.length), fixed(median(ext), 1), fixed(percentile(ext, 90), 1), fixed(median(x.timings.map((t) => t.selfMs)), 1)];
  });
  for (const f of floor) rows.push([f.name, "–", String(f.ms.length), fixed(median(f.ms), 1), fixed(percentile(f.ms, 90), 1), "–"]);
  return table(["loader", "object", "runs", "spawn → attached, median ms", "p90 ms", "self-reported ms (median)"], rows,
    ["---", "---", "---:", "---:", "---:", "---:"]);
}

function bootstrapMedian(b: BenchResults["bootstrap"], loader: string, object: string): number {
  const x = b.find((e) => e.loader === loader && e.object === object);
  return x ? median(x.timings.map((t) => t.externalMs)) : NaN;
}

/** One bar of DESIGN.md section 8 as measured. */
export interface Bar { bar: string; goal: string; measured: string; met: boolean | undefined }

/** Evaluates the bars this bench covers (rows 1–3 and 6). */
export function bars(r: BenchResults): Bar[] {
  const live = summarize(r.live);
  const backlog = summarize(r.backlog);
  const [c, e, bt] = [find(live, "c-json"), find(live, "ecli"), find(live, "bpftrace")];
  const [cb, eb, btb] = [find(backlog, "c-json"), find(backlog, "ecli"), find(backlog, "bpftrace")];
  const out: Bar[] = [];
  const check = (bar: string, goal: string, value: number, limit: number, fmt: (v: number) => string, atMost = false) =>
    out.push({ bar, goal, measured: fmt(value), met: Number.isFinite(value) ? (atMost ? value <= limit : value >= limit) : undefined });
  const x = (v: number) => `${fixed(v, 2)}×`;
  if (c && e) {
    check("JSON events/s vs C, live at full speed", "≥ 0.8×", ratio(e.eventsPerSecond, c.eventsPerSecond), 0.8, x);
    if (cb && eb) check("JSON events/s vs C, draining a backlog", "≥ 0.8×", ratio(eb.eventsPerSecond, cb.eventsPerSecond), 0.8, x);
  }
  if (bt && e) {
    check("JSON events/s vs bpftrace, live at full speed", "≥ 3×", ratio(e.eventsPerSecond, bt.eventsPerSecond), 3, x);
    if (btb && eb) check("JSON events/s vs bpftrace, draining a backlog", "≥ 3×", ratio(eb.eventsPerSecond, btb.eventsPerSecond), 3, x);
  }
  if (c && e) {
    // The rate the C consumer keeps up with: full speed if it lost nothing there, else the fastest paced rate it did.
    const cKeepsUp = c.lost === 0 ? "full speed" : undefined;
    if (cKeepsUp) {
      out.push({ bar: `lost events at the rate C keeps up with (${cKeepsUp}, ${int(c.eventsPerSecond)}/s)`, goal: "0", measured: `${int(e.lost)} of ${int(e.sent)} (C: ${int(c.lost)})`, met: e.lost === 0 });
    } else {
      const paced = r.paced.filter((t) => t.consumer === "c-json" && t.lost === 0).map((t) => t.rate);
      const rate = paced.length ? Math.max(...paced) : NaN;
      const ecliAt = r.paced.find((t) => t.consumer === "ecli" && t.rate === rate);
      out.push({ bar: `lost events at the rate C keeps up with (${int(rate)}/s)`, goal: "0", measured: ecliAt ? int(ecliAt.lost) : "not measured", met: ecliAt ? ecliAt.lost === 0 : undefined });
    }
    const lossless = r.paced.filter((t) => t.consumer === "ecli" && t.lost === 0).map((t) => t.rate);
    const lossy = r.paced.filter((t) => t.consumer === "ecli" && t.lost > 0).map((t) => t.rate);
    if (r.paced.length) {
      out.push({ bar: "(context) fastest paced rate at which ecli lost nothing", goal: "–", measured: `${lossless.length ? `${int(Math.max(...lossless))}/s` : "none"}${lossy.length ? `; lost events at ${int(Math.min(...lossy))}/s` : ""}`, met: undefined });
    }
    check("consumer CPU per event vs C, live at full speed", "≤ 2×", ratio(e.cpuUsPerEvent, c.cpuUsPerEvent), 2, x, true);
    if (cb && eb) check("consumer CPU per event vs C, draining a backlog", "≤ 2×", ratio(eb.cpuUsPerEvent, cb.cpuUsPerEvent), 2, x, true);
  }
  for (const object of ["bootstrap", "bench"]) {
    const em = bootstrapMedian(r.bootstrap, "ecli run", object);
    const cm = bootstrapMedian(r.bootstrap, "C libbpf", object);
    if (Number.isFinite(em)) check(`bootstrap of ${object} (spawn → attached)`, "≤ 100 ms", em, 100, (v) => `${fixed(v, 1)} ms`, true);
    if (Number.isFinite(em) && Number.isFinite(cm)) check(`bootstrap of ${object} vs C libbpf loader`, "≤ 1.3×", ratio(em, cm), 1.3, x, true);
  }
  if (r.rss) check("resident memory of ecli run -j on bootstrap (peak)", "≤ 60 MB", r.rss.peakRssKb / 1024, 60, (v) => `${fixed(v, 1)} MB`, true);
  return out;
}

/** The generated section of docs/BENCHMARKS.md. */
export function renderResults(r: BenchResults, microTable?: string): string {
  const live = summarize(r.live);
  const backlog = summarize(r.backlog);
  const stages = summarize(r.stages);
  const m = r.meta;
  const p = m.params;
  const hostRows = Object.entries(m.host).map(([k, v]) => [k, v]);
  const problems = [...live, ...backlog, ...stages].flatMap((s) => s.problems.map((pr) => `${label(s.consumer)}: ${pr}`));
  const parts = [
    `Measured ${m.date} with \`${m.command}\` (${fixed(m.elapsedSeconds, 0)} s).`,
    "",
    table(["", ""], [...hostRows, ["load average before / after", `${m.loadBefore} / ${m.loadAfter}`],
      ["parameters", `${int(p.events)} events live, ${int(p.backlogEvents)} backlog, ${p.reps} repetitions, ring ${int(p.ringBytes / 1024)} KiB live / ${int(p.backlogRingBytes / 1024)} KiB backlog, paced rates ${p.rates.map(int).join(", ")}/s`]]),
    "",
    "### The bars (DESIGN.md section 8, rows 1–3 and 6)",
    "",
    table(["bar", "goal", "measured", "met"], bars(r).map((b) => [b.bar, b.goal, b.measured, b.met === undefined ? "–" : b.met ? "yes" : "**no**"])),
    "",
    `### Live, generator at full speed (median of ${p.reps})`,
    "",
    liveTable(live),
    "",
    `### Backlog drain: ${int(p.backlogEvents)} events queued while the consumer is stopped (median of ${p.reps})`,
    "",
    backlogTable(backlog),
    "",
  ];
  const ratioRows: string[][] = [];
  for (const [what, set] of [["live", live], ["backlog", backlog]] as const) {
    const e = find(set, "ecli");
    for (const ref of ["c-json", "bpftrace"]) {
      const o = find(set, ref);
      if (e && o) ratioRows.push([what, label(ref), `${fixed(ratio(e.eventsPerSecond, o.eventsPerSecond), 2)}×`, `${fixed(ratio(e.cpuUsPerEvent, o.cpuUsPerEvent), 2)}×`]);
    }
  }
  if (ratioRows.length) parts.push("### ecli against the references", "", table(["run", "reference", "ecli events/s ÷ reference", "ecli CPU/event ÷ reference"], ratioRows), "");
  if (r.paced.length) parts.push("### Live, generator paced (one run each)", "", pacedTable(r.paced), "");
  if (stages.length) parts.push("### Where ecli's time goes: the event path stage by stage (backlog drain, one run each)", "", stageTable(stages, find(backlog, "ecli")), "");
  if (r.bootstrap.length) parts.push("### Bootstrap: process start to all programs attached", "", bootstrapTable(r.bootstrap, r.floor), "");
  if (r.bootstrapSteps) {
    const steps = Object.entries(r.bootstrapSteps);
    parts.push("Step by step (`bun tools/bench/bootstrap-stages.ts` on the bench package: ecli's libraries run from source, so the imports cost more than in the compiled binary; median of " +
      `${steps[0]?.[1].length ?? 0} runs):`, "",
      table(["step", "ms"], steps.map(([k, v]) => [k, fixed(median(v), 1)]), ["---", "---:"]), "");
  }
  if (r.rss) parts.push(`### Resident memory of \`ecli run -j\` on examples/bootstrap`, "",
    `After attaching and printing ${int(r.rss.lines)} events of 100 short processes: VmRSS ${fixed(r.rss.rssKb / 1024, 1)} MB, peak (VmHWM) ${fixed(r.rss.peakRssKb / 1024, 1)} MB.`, "");
  if (microTable) parts.push("### Decoder micro-benchmark (`bun tools/bench/decoder-micro.ts`)", "", microTable, "");
  parts.push("### Checks", "",
    `- Kernel objects of the bench left after the run: ${r.leaks.length === 0 ? "none" : r.leaks.join(", ")}.`,
    `- Every run: sent = received + lost, JSON lines with the keys and values of \`ecli run -j\`, clean exit: ${problems.length === 0 ? "yes" : `no: ${problems.join("; ")}`}.`);
  return parts.join("\n");
}

export const BEGIN_MARK = "<!-- bench:results:begin (generated by tools/bench/run.sh; edit outside these marks) -->";
export const END_MARK = "<!-- bench:results:end -->";

/** `doc` with the text between the marks replaced by `section` (the marks appended when absent). */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN_MARK);
  const end = doc.indexOf(END_MARK);
  const block = `${BEGIN_MARK}\n${section}\n${END_MARK}`;
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, begin) + block + doc.slice(end + END_MARK.length);
}
