/**
 * The event-path benchmark: every consumer, one after another, on this machine, in one
 * run; the results go into docs/BENCHMARKS.md between its generated-section marks.
 * Run it through tools/bench/run.sh (as root); `--help` lists the options.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { $ } from "bun";
import { buildBenchPackage, buildExample, compileC, type BenchPackage } from "./build.ts";
import { residentDuring, timeAttach, timeStartExit } from "./bootstrap-time.ts";
import { BPFTRACE, C_DISCARD, C_JSON, ECLI, stageConsumer, type ConsumerContext, type ConsumerSpec } from "./consumers.ts";
import { microTable, runMicro } from "./decoder-micro.ts";
import { STAGES } from "./ecli-stages.ts";
import { renderResults, replaceSection, type BenchResults } from "./report.ts";
import { runTrial, type TrialMode, type TrialResult } from "./trial.ts";
import { btfFromElf, parseElf } from "@eunomia/decoder";

const BENCH_DIR = dirname(import.meta.path);
const ROOT = resolve(BENCH_DIR, "../..");
const BUN = process.execPath;

const USAGE = `usage: tools/bench/run.sh [options]   (as root)

  --events N            events per live run (default 1000000)
  --backlog-events N    events per backlog drain (default 300000)
  --reps N              repetitions of the live and backlog runs (default 3)
  --ring-kib N          ring buffer of the live runs, KiB, a power of two (default 8192)
  --rates A,B,...       paced live runs, events/s (default 50000,100000,200000,400000; "" for none)
  --attach-runs N       starts per loader in the bootstrap timing (default 10)
  --skip LIST           any of: bpftrace,paced,stages,bootstrap,rss,micro,backlog
  --ecli PATH           the ecli binary (default $ECLI_BIN or dist/ecli)
  --doc PATH            the document to update (default docs/BENCHMARKS.md)
  --json PATH           also write every measurement as JSON
  --no-doc              print the results, leave the document alone
  --quick               200000 events, 100000 backlog, 1 repetition, 3 attach runs
`;

interface Options {
  events: number; backlogEvents: number; reps: number; ringBytes: number; rates: number[]; attachRuns: number;
  skip: Set<string>; ecli: string; doc: string; json?: string; writeDoc: boolean;
}

class UsageError extends Error {}

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n <= 0) throw new UsageError(`${name} takes a positive integer, not ${JSON.stringify(text ?? "")}`);
  return n;
}

/** Parses the command line. @throws UsageError with a one-line message. */
export function parseOptions(argv: string[]): Options | "help" {
  const o: Options = {
    events: 1_000_000, backlogEvents: 300_000, reps: 3, ringBytes: 8 << 20, rates: [50_000, 100_000, 200_000, 400_000],
    attachRuns: 10, skip: new Set(), ecli: process.env.ECLI_BIN ?? join(ROOT, "dist/ecli"), doc: join(ROOT, "docs/BENCHMARKS.md"), writeDoc: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "-h": case "--help": return "help";
      case "--events": o.events = positiveInt(a, next()); break;
      case "--backlog-events": o.backlogEvents = positiveInt(a, next()); break;
      case "--reps": o.reps = positiveInt(a, next()); break;
      case "--ring-kib": {
        const kib = positiveInt(a, next());
        if ((kib & (kib - 1)) !== 0 || kib < 4) throw new UsageError(`--ring-kib takes a power of two of at least 4, not ${kib}`);
        o.ringBytes = kib * 1024;
        break;
      }
      case "--rates": {
        const text = next();
        o.rates = text === "" ? [] : text.split(",").map((r) => positiveInt("--rates", r.trim()));
        break;
      }
      case "--attach-runs": o.attachRuns = positiveInt(a, next()); break;
      case "--skip": {
        const known = ["bpftrace", "paced", "stages", "bootstrap", "rss", "micro", "backlog"];
        for (const s of next().split(",")) {
          if (!known.includes(s)) throw new UsageError(`--skip: unknown part ${JSON.stringify(s)} (one of ${known.join(", ")})`);
          o.skip.add(s);
        }
        break;
      }
      case "--ecli": o.ecli = resolve(next()); break;
      case "--doc": o.doc = resolve(next()); break;
      case "--json": o.json = resolve(next()); break;
      case "--no-doc": o.writeDoc = false; break;
      case "--quick": Object.assign(o, { events: 200_000, backlogEvents: 100_000, reps: 1, attachRuns: 3 }); break;
      default: throw new UsageError(`unknown option ${a} (--help lists them)`);
    }
  }
  return o;
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function text(cmd: Promise<string>): Promise<string> {
  try {
    return (await cmd).trim();
  } catch {
    return "?";
  }
}

async function hostInfo(ecli: string): Promise<Record<string, string>> {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  const st = statSync(ecli);
  const head = await text($`git -C ${ROOT} rev-parse --short HEAD`.quiet().text());
  const dirty = await text($`git -C ${ROOT} --no-optional-locks status --porcelain -- packages`.quiet().text());
  return {
    kernel: await text($`uname -r`.quiet().text()),
    CPU: `${cpu} × ${cpus().length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    ecli: `${relative(ROOT, ecli) || ecli} (${(st.size / 2 ** 20).toFixed(0)} MB, built ${st.mtime.toISOString().slice(0, 16).replace("T", " ")} UTC; repository at ${head}${dirty && dirty !== "?" ? ", packages/ modified" : ""})`,
    Bun: Bun.version,
    libbpf: await text($`dpkg-query -W -f=\${Version} libbpf1`.quiet().text()),
    bpftrace: await text($`bpftrace --version`.quiet().text()),
    gcc: (await text($`gcc --version`.quiet().text())).split("\n")[0],
  };
}

interface BpfIds { progs: Map<number, string>; maps: Map<number, string>; links: Map<number, number> }

async function bpfIds(): Promise<BpfIds> {
  const list = async (kind: string) => JSON.parse((await $`bpftool -j ${kind} list`.quiet().text()) || "[]") as Record<string, unknown>[];
  const [progs, maps, links] = await Promise.all([list("prog"), list("map"), list("link")]);
  return {
    progs: new Map(progs.map((p) => [p.id as number, String(p.name ?? "")])),
    maps: new Map(maps.map((m) => [m.id as number, String(m.name ?? "")])),
    links: new Map(links.map((l) => [l.id as number, l.prog_id as number])),
  };
}

const OUR_PROGS = /^(handle_lseek|sys_enter_lseek|handle_exec|handle_exit)$/;
const OUR_MAPS = /^(bench|bootstra)|^(events|printf|rb|exec_start)$/;

/** Bench objects (by name) present now that were not at `before`, after up to 3 s for release. */
async function leftovers(before: BpfIds): Promise<string[]> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const now = await bpfIds();
    const progs = [...now.progs].filter(([id, name]) => !before.progs.has(id) && OUR_PROGS.test(name));
    const ourProgIds = new Set(progs.map(([id]) => id));
    const found = [
      ...progs.map(([id, name]) => `prog ${id} ${name}`),
      ...[...now.maps].filter(([id, name]) => !before.maps.has(id) && OUR_MAPS.test(name)).map(([id, name]) => `map ${id} ${name}`),
      ...[...now.links].filter(([id, prog]) => !before.links.has(id) && ourProgIds.has(prog)).map(([id]) => `link ${id}`),
    ];
    if (found.length === 0 || performance.now() > deadline) return found;
    await Bun.sleep(100);
  }
}

function ringFor(events: number): number {
  return 2 ** Math.ceil(Math.log2(events * 64 + 4096));
}

function describe(t: TrialResult): string {
  const rate = t.consumeSeconds > 0 ? ` ${Math.round(t.received / t.consumeSeconds).toLocaleString("en-US")}/s` : "";
  const cpu = t.received > 0 ? ` ${((t.cpuSeconds / t.received) * 1e6).toFixed(2)} µs/event` : "";
  return `${t.consumer} ${t.mode}${t.rate ? ` @${t.rate}/s` : ""}: received ${t.received} lost ${t.lost}${rate}${cpu} gen ${t.genSeconds.toFixed(3)} s${t.problems.length ? ` PROBLEMS: ${t.problems.join("; ")}` : ""}`;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = parsed;
  if (process.getuid?.() !== 0) throw new UsageError("the bench loads BPF programs: run it as root");
  if (!existsSync(o.ecli)) throw new UsageError(`no ecli at ${o.ecli} (bash tools/build-binary.sh builds it, or pass --ecli)`);
  if (!o.skip.has("bpftrace") && (await $`which bpftrace`.nothrow().quiet()).exitCode !== 0) {
    throw new UsageError("bpftrace is not installed (apt-get install bpftrace), or pass --skip bpftrace");
  }
  const started = performance.now();
  const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const idsBefore = await bpfIds();
  const work = mkdtempSync(existsSync("/dev/shm") ? "/dev/shm/eunomia-bench-" : "/tmp/eunomia-bench-");
  try {
    progress(`building into ${work}`);
    const genBin = await compileC(BENCH_DIR, "gen.c", join(work, "gen"));
    const consumerBin = await compileC(BENCH_DIR, "consumer.c", join(work, "consumer"), ["-lbpf"]);
    const livePkg = await buildBenchPackage(o.ecli, BENCH_DIR, join(work, "live"), o.ringBytes);
    const backlogRing = ringFor(o.backlogEvents);
    const backlogPkg = await buildBenchPackage(o.ecli, BENCH_DIR, join(work, "backlog"), backlogRing);
    const tools = { consumerBin, ecliBin: o.ecli, bunBin: BUN, benchDir: BENCH_DIR };
    const contextOf = (pkg: BenchPackage, perfBytes: number): Omit<ConsumerContext, "tgid"> => ({ ...pkg, ...tools, ringBytes: perfBytes });
    const trial = async (consumer: ConsumerSpec | undefined, mode: TrialMode, events: number, rate: number): Promise<TrialResult> => {
      // bpftrace's perf buffers get the ring's size in total (live), or room for every event on each CPU (backlog).
      const ctx = mode === "live" ? contextOf(livePkg, livePkg.ringBytes) : contextOf(backlogPkg, events * 128 * navigator.hardwareConcurrency);
      const r = await runTrial({ consumer, mode, events, rate, genBin, context: ctx, workDir: work });
      progress(describe(r));
      return r;
    };

    const withBpftrace = <T>(list: T[]): (T | ConsumerSpec)[] => (o.skip.has("bpftrace") ? list : [...list, BPFTRACE]);
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
        command: `tools/bench/run.sh ${argv.join(" ")}`.trim(),
        host: await hostInfo(o.ecli),
        params: { events: o.events, backlogEvents: o.backlogEvents, reps: o.reps, ringBytes: o.ringBytes, backlogRingBytes: backlogRing, rates: o.skip.has("paced") ? [] : o.rates },
        loadBefore, loadAfter: "", elapsedSeconds: 0,
      },
      live: [], backlog: [], paced: [], stages: [], bootstrap: [], floor: [], leaks: [],
    };

    for (let rep = 1; rep <= o.reps; rep++) {
      progress(`live runs, repetition ${rep}/${o.reps}`);
      // undefined: the generator alone, with no program attached.
      for (const c of withBpftrace([undefined, C_DISCARD, C_JSON, ECLI])) results.live.push(await trial(c, "live", o.events, 0));
      if (!o.skip.has("backlog")) {
        progress(`backlog drains, repetition ${rep}/${o.reps}`);
        for (const c of withBpftrace([C_JSON, ECLI])) results.backlog.push(await trial(c, "backlog", o.backlogEvents, 0));
      }
    }
    if (!o.skip.has("paced")) {
      for (const [i, rate] of o.rates.entries()) {
        const events = Math.max(100_000, rate);
        // At the lowest rate also the wake-up path alone: C counting, and ecli's loop with no decoding.
        const consumers = i === 0 ? [C_JSON, ECLI, C_DISCARD, stageConsumer("walk")] : [C_JSON, ECLI];
        for (const c of consumers) results.paced.push(await trial(c, "live", events, rate));
      }
    }
    if (!o.skip.has("stages")) {
      for (const stage of STAGES) results.stages.push(await trial(stageConsumer(stage), "backlog", o.backlogEvents, 0));
    }
    if (!o.skip.has("bootstrap")) {
      progress("bootstrap timing");
      const boot = await buildExample(o.ecli, join(ROOT, "examples/bootstrap/bootstrap.bpf.c"), join(ROOT, "examples/bootstrap/bootstrap.bpf.h"), join(work, "bootstrap"));
      const loaders = [
        { loader: "ecli run", object: "bootstrap", argv: [o.ecli, "run", "-v", boot.packagePath] },
        { loader: "C libbpf", object: "bootstrap", argv: [consumerBin, boot.objectPath, "--attach-only"] },
        { loader: "ecli run", object: "bench", argv: [o.ecli, "run", "-v", livePkg.packagePath, "--target-tgid", "1"] },
        { loader: "C libbpf", object: "bench", argv: [consumerBin, livePkg.objectPath, "--attach-only", "--tgid", "1"] },
      ];
      const timings = loaders.map((l) => ({ loader: l.loader, object: l.object, timings: [] as Awaited<ReturnType<typeof timeAttach>>[] }));
      const floors = [{ name: "floor: `ecli help` (start → exit)", argv: [o.ecli, "help"], ms: [] as number[] }, { name: "floor: /bin/true (start → exit)", argv: ["/bin/true"], ms: [] as number[] }];
      for (let i = 0; i < o.attachRuns; i++) {
        for (const [k, l] of loaders.entries()) timings[k].timings.push(await timeAttach(l.argv));
        for (const f of floors) f.ms.push(await timeStartExit(f.argv));
      }
      results.bootstrap = timings;
      const steps: Record<string, number[]> = {};
      for (let i = 0; i < Math.min(o.attachRuns, 5); i++) {
        const out = await $`${BUN} ${join(BENCH_DIR, "bootstrap-stages.ts")} ${livePkg.packagePath} --json`.quiet().text();
        for (const [k, v] of Object.entries(JSON.parse(out) as Record<string, number>)) (steps[k] ??= []).push(v);
      }
      results.bootstrapSteps = steps;
      results.floor = floors.map(({ name, ms }) => ({ name, ms }));
      if (!o.skip.has("rss")) {
        progress("resident memory on bootstrap");
        results.rss = await residentDuring([o.ecli, "run", "-j", "-v", boot.packagePath], async () => {
          for (let i = 0; i < 100; i++) await Bun.spawn(["/bin/true"]).exited;
        });
      }
    }
    let micro: string | undefined;
    if (!o.skip.has("micro")) {
      progress("decoder micro-benchmark");
      const btf = btfFromElf(parseElf(new Uint8Array(readFileSync(livePkg.objectPath))));
      const event = btf.find("event", "struct");
      if (!event) throw new Error("the bench object has no struct event");
      results.micro = runMicro(btf, event.id);
      micro = microTable(results.micro.results, results.micro.buildUs);
    }
    results.leaks = await leftovers(idsBefore);
    results.meta.loadAfter = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    results.meta.elapsedSeconds = (performance.now() - started) / 1000;

    const section = renderResults(results, micro);
    if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 1));
    if (o.writeDoc) {
      const doc = existsSync(o.doc) ? readFileSync(o.doc, "utf8") : "# Benchmarks\n";
      writeFileSync(o.doc, replaceSection(doc, section));
      progress(`wrote ${relative(ROOT, o.doc)} (${results.meta.elapsedSeconds.toFixed(0)} s)`);
    }
    process.stdout.write(`${section}\n`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
