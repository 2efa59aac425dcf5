/**
 * End to end on the real kernel: `ecli build` compiles examples/bootstrap, `ecli run`
 * loads it, and the exec/exit events of processes this test starts come back decoded
 * exactly, in JSON and in the text table, with the program's flags taking effect.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ecliCommand, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { cpuSecondsOver } from "./helpers/cpu-time.ts";
import { BOOTSTRAP_HEADER, BOOTSTRAP_SOURCE, child, type BootstrapEvent } from "./helpers/bootstrap.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const SOURCE = BOOTSTRAP_SOURCE;
const HEADER = BOOTSTRAP_HEADER;
let out: string;
let pkg: string;
let before: KernelObjects;


function jsonLines(stdout: string): BootstrapEvent[] {
  return stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as BootstrapEvent);
}

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-bootstrap-"));
  const built = await ecli(["build", SOURCE, HEADER, "-o", out]);
  expect(built.stderr).toContain("package.json");
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ecli build examples/bootstrap", () => {
  test("writes a package describing the programs, maps, flags and event", async () => {
    const json = await Bun.file(pkg).json();
    const skel = json.meta.bpf_skel;
    expect(skel.obj_name).toBe("bootstrap_bpf");
    expect(skel.progs).toEqual([
      { name: "handle_exec", attach: "tp/sched/sched_process_exec", link: true },
      { name: "handle_exit", attach: "tp/sched/sched_process_exit", link: true },
    ]);
    expect(skel.maps.map((m: { ident: string }) => m.ident)).toEqual(["exec_start", "rb", "rodata", "bss"]);
    const rodata = skel.data_sections.find((s: { name: string }) => s.name === ".rodata");
    expect(rodata.variables).toEqual([
      {
        name: "min_duration_ns",
        type: "unsigned long long",
        description: "Minimum process duration (ns) to report; also hides exec events when set",
        cmdarg: { default: 0, short: "d", long: "min-duration-ns" },
      },
      {
        name: "target_pid",
        type: "int",
        description: "Report only this process (thread-group id; 0 traces every process)",
        cmdarg: { default: 0, short: "p", long: "target-pid" },
      },
    ]);
    expect(skel.doc.brief).toBe("Trace process start and exit.");
    expect(skel.doc.version).toBe("0.1");
    expect(json.meta.export_types[0].name).toBe("event");
    expect(json.meta.export_types[0].members).toEqual([
      { name: "pid", type: "int" },
      { name: "ppid", type: "int" },
      { name: "exit_code", type: "unsigned int" },
      { name: "duration_ns", type: "unsigned long long" },
      { name: "comm", type: "char[16]" },
      { name: "filename", type: "char[127]" },
      { name: "exit_event", type: "bool" },
    ]);
    expect(json.meta.export_types[0].size).toBe(168);
    expect(statSync(pkg).size).toBeLessThan(64 * 1024);
  });
});

describe("ecli run bootstrap", () => {
  test("decodes the exec and exit of known processes exactly, as JSON lines", async () => {
    const run = await RunningEcli.start(["-j", pkg, "--target-pid", String(process.pid)]);
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "exit 7"]);
    await Bun.sleep(300);
    const done = await run.stop("SIGINT");
    expect(done.code).toBe(0);
    const events = jsonLines(done.stdout);

    const execTrue = events.find((e) => e.pid === truePid && !e.exit_event);
    expect(execTrue).toEqual({
      pid: truePid, ppid: process.pid, exit_code: 0, duration_ns: 0,
      comm: "true", filename: "/usr/bin/true", exit_event: false,
    });
    const exitTrue = events.find((e) => e.pid === truePid && e.exit_event)!;
    expect(exitTrue).toMatchObject({ pid: truePid, ppid: process.pid, exit_code: 0, comm: "true", filename: "", exit_event: true });
    expect(Number(exitTrue.duration_ns)).toBeGreaterThan(0);

    const exitSh = events.find((e) => e.pid === shPid && e.exit_event)!;
    expect(exitSh).toMatchObject({ pid: shPid, ppid: process.pid, exit_code: 7, comm: "sh", exit_event: true });
    // Nothing from other processes: the target-pid flag reached the program.
    expect(events.every((e) => e.pid === truePid || e.pid === shPid)).toBe(true);
    // JSON keys come in declaration order.
    expect(done.stdout.split("\n")[0]).toMatch(/^\{"pid":\d+,"ppid":\d+,"exit_code":\d+,"duration_ns":\d+,"comm":"[^"]*","filename":"[^"]*","exit_event":(true|false)\}$/);
  });

  test("prints a header once and aligned rows in text mode, and exits 0 on SIGTERM", async () => {
    const run = await RunningEcli.start([pkg, "--target-pid", String(process.pid)]);
    const pid = await child(["/usr/bin/true"]);
    await Bun.sleep(300);
    const done = await run.stop("SIGTERM");
    expect(done.code).toBe(0);
    const lines = done.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^TIME\s+PID\s+PPID\s+EXIT_CODE\s+DURATION_NS\s+COMM\s+FILENAME\s+EXIT_EVENT$/);
    expect(lines.filter((l) => l.startsWith("TIME"))).toHaveLength(1);
    const exec = lines.find((l) => l.includes("/usr/bin/true"))!;
    expect(exec).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\s+${pid}\\s+${process.pid}\\s+0\\s+0\\s+true\\s+/usr/bin/true\\s+false$`));
    // Columns line up: each value starts where its header starts.
    const header = lines[0];
    for (const name of ["PID", "PPID", "COMM", "FILENAME"]) {
      const col = header.search(new RegExp(`\\b${name}\\b`));
      expect(exec[col - 1]).toBe(" ");
      expect(exec[col]).not.toBe(" ");
    }
  });

  test("--min-duration-ns hides short-lived processes and exec events", async () => {
    const run = await RunningEcli.start(["-j", pkg, "--target-pid", String(process.pid), "--min-duration-ns", "200000000"]);
    const quick = await child(["/usr/bin/true"]);
    const slow = await child(["/bin/sleep", "0.3"]);
    await Bun.sleep(300);
    const done = await run.stop();
    expect(done.code).toBe(0);
    const events = jsonLines(done.stdout);
    expect(events.some((e) => e.pid === quick)).toBe(false);
    expect(events.filter((e) => !e.exit_event)).toEqual([]);
    const slowExit = events.find((e) => e.pid === slow)!;
    expect(slowExit).toMatchObject({ exit_event: true, comm: "sleep" });
    expect(BigInt(slowExit.duration_ns)).toBeGreaterThanOrEqual(200_000_000n);
  });

  test("--duration ends the run by itself with exit 0", async () => {
    const t0 = performance.now();
    const done = await ecli(["run", "--duration", "1", pkg, "--target-pid", String(process.pid)]);
    expect(done.code).toBe(0);
    expect(done.stderr).toBe("");
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("an idle run sleeps: under 0.3 s of CPU in 2 s with no events", async () => {
    // pid 1 spawns nothing here, so the filter lets no event through.
    const run = await RunningEcli.start([pkg, "--target-pid", "1"]);
    const used = await cpuSecondsOver(run.proc.pid, 2000);
    expect((await run.stop()).code).toBe(0);
    expect(used).toBeLessThan(0.3);
  });

  test("a reader that goes away (| head -1) ends the run quietly with exit 0", async () => {
    const [bin] = ecliCommand();
    // The pipeline reports ecli's own exit status (PIPESTATUS) on stderr.
    const script = `( ${bin} run -j ${pkg} --target-pid $$ | head -1 >/dev/null; echo "ecli=\${PIPESTATUS[0]}" >&2 ) & p=$!; sleep 1; for i in 1 2 3 4 5; do /bin/true; sleep 0.1; done; wait $p`;
    const shell = Bun.spawn(["bash", "-c", script], { stdout: "pipe", stderr: "pipe" });
    // Events are exec/exit of the shell's children: the pipeline's own processes exiting and
    // `head` stopping after one line give the run at least one event to write into a closed pipe.
    const code = await Promise.race([shell.exited, Bun.sleep(8000).then(() => "timeout")]);
    if (code === "timeout") shell.kill("SIGKILL");
    expect(code).toBe(0);
    expect(await new Response(shell.stderr).text()).toBe("ecli=0\n");
  });

  test("-h prints the program's own flags and exits 0", async () => {
    const done = await ecli(["run", pkg, "-h"]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("--min-duration-ns <unsigned long long>");
    expect(done.stdout).toContain("--target-pid <int>");
    expect(done.stdout).toContain("Trace process start and exit.");
    expect(done.stdout).toContain("version 0.1");
    expect(done.stdout).toMatch(/-p, --target-pid <int> +Report only this process .* \[default: 0\]/);
  });

  test("leaves no program, map or link of ours in the kernel", async () => {
    const leaked = await leaksAfterRelease(before);
    expect(leaked).toEqual({ progs: [], maps: [], links: [] });
  });
});
