import { expect, test } from "bun:test";
import { bars, BEGIN_MARK, END_MARK, renderResults, replaceSection, summarize, type BenchResults } from "./report.ts";
import type { TrialResult } from "./trial.ts";

function trial(consumer: string, received: number, lost: number, seconds: number, cpu: number, mode: "live" | "backlog" = "live"): TrialResult {
  return { consumer, mode, rate: 0, sent: received + lost, received, lost, genSeconds: 1, consumeSeconds: seconds, cpuSeconds: cpu,
    totalCpuSeconds: cpu + 0.1, peakRssKb: 20480, exitCode: 0, problems: [] };
}

function results(): BenchResults {
  return {
    meta: { date: "2026-01-01 00:00 UTC", command: "tools/bench/run.sh", host: { kernel: "6.18" },
      params: { events: 1000, backlogEvents: 500, reps: 1, ringBytes: 8 << 20, backlogRingBytes: 1 << 20, rates: [] },
      loadBefore: "0.1", loadAfter: "0.2", elapsedSeconds: 10 },
    live: [trial("c-json", 1000, 0, 1, 1), trial("ecli", 900, 100, 1, 1.8), trial("bpftrace", 100, 900, 1, 0.5)],
    backlog: [trial("c-json", 500, 0, 0.1, 0.1, "backlog"), trial("ecli", 500, 0, 0.1, 0.15, "backlog")],
    paced: [], stages: [],
    bootstrap: [
      { loader: "ecli run", object: "bench", timings: [{ externalMs: 50, selfMs: 45, programs: 1 }] },
      { loader: "C libbpf", object: "bench", timings: [{ externalMs: 40, selfMs: 38, programs: 1 }] },
    ],
    floor: [], rss: { rssKb: 50 * 1024, peakRssKb: 61 * 1024, lines: 10 }, leaks: [],
  };
}

test("summarize takes medians per consumer and derives rates", () => {
  const s = summarize([trial("ecli", 100, 0, 1, 1), trial("ecli", 300, 0, 1, 1), trial("ecli", 200, 0, 1, 4)]);
  expect(s).toHaveLength(1);
  expect(s[0].eventsPerSecond).toBe(200);
  expect(s[0].cpuUsPerEvent).toBeCloseTo(10000, 6);
  expect(s[0].eventsPerSecondRange).toEqual([100, 300]);
});

test("bars compare ecli with the C consumer and bpftrace and mark each met or not", () => {
  const b = new Map(bars(results()).map((x) => [x.bar, x]));
  expect(b.get("JSON events/s vs C, live at full speed")).toMatchObject({ measured: "0.90×", met: true });
  expect(b.get("JSON events/s vs bpftrace, live at full speed")).toMatchObject({ measured: "9.00×", met: true });
  expect(b.get("consumer CPU per event vs C, live at full speed")).toMatchObject({ measured: "2.00×", met: true });
  expect(b.get("consumer CPU per event vs C, draining a backlog")).toMatchObject({ measured: "1.50×", met: true });
  expect([...b.values()].find((x) => x.bar.startsWith("lost events"))).toMatchObject({ met: false });
  expect(b.get("bootstrap of bench (spawn → attached)")).toMatchObject({ measured: "50.0 ms", met: true });
  expect(b.get("bootstrap of bench vs C libbpf loader")).toMatchObject({ measured: "1.25×", met: true });
  expect(b.get("resident memory of ecli run -j on bootstrap (peak)")).toMatchObject({ measured: "61.0 MB", met: false });
});

test("renderResults writes every table with the command and host", () => {
  const md = renderResults(results(), "| micro |");
  expect(md).toContain("`tools/bench/run.sh`");
  expect(md).toContain("| kernel | 6.18 |");
  expect(md).toContain("### Live, generator at full speed");
  expect(md).toContain("| ecli run -j | 1,000 | 900 | 100 |");
  expect(md).toContain("| micro |");
  expect(md).toContain("left after the run: none");
});

test("replaceSection replaces only what lies between the marks, or appends them", () => {
  const doc = `# B\n\nprose\n\n${BEGIN_MARK}\nold\n${END_MARK}\n\nmore prose\n`;
  expect(replaceSection(doc, "new")).toBe(`# B\n\nprose\n\n${BEGIN_MARK}\nnew\n${END_MARK}\n\nmore prose\n`);
  expect(replaceSection("# B\n", "new")).toBe(`# B\n\n${BEGIN_MARK}\nnew\n${END_MARK}\n`);
});
