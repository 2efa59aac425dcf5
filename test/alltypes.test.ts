/**
 * Every C type an export struct can hold, decoded exactly end to end: the same event
 * goes through a ring buffer and a perf event array, with values set from flags, and
 * lost events are counted when the consumer falls behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { btfFromElf, parseElf } from "@eunomia/decoder";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, RunningEcli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";

const EXAMPLE = join(ROOT, "examples/alltypes");
let out: string;
let before: KernelObjects;
const packages: Record<"ring" | "perf", string> = { ring: "", perf: "" };

/** One kill(2) of this process with signal 0: the programs' trigger. */
const trigger = (n = 1) => {
  for (let i = 0; i < n; i++) process.kill(process.pid, 0);
};

const FLAGS = ["--label", "hello", "--scale", "2.25", "--magic", "18446744073709551615", "--target-pid", String(process.pid)];

/** The JSON line ecli must print for event number `seq` (bigints and escapes spelled exactly). */
function expectedLine(seq: number): string {
  return (
    '{"u8v":255,"s8v":-128,"u16v":65535,"s16v":-32768,"u32v":4294967295,"s32v":-2147483648,' +
    '"u64v":18446744073709551615,"s64v":-9223372036854775808,' +
    '"u128v":340282366920938463463374607431768211455,"s128v":-170141183460469231731687303715884105728,' +
    '"flag":true,"label":"hello","tricky":"q\\"b\\\\c\\n\\u0001","raw":"\uFFFDa",' +
    '"nested":{"a":7,"b":70000},"as_u32":1069547520,"as_f32":1.5,"ints":[1,-2,3,-4],' +
    '"grid":[[0,1,2],[10,11,12]],"color":"BLUE","wide":"WIDE_HUGE","ratio":1.5,"scale":2.25,' +
    `"ptr":3735928559,"bit_a":1,"bit_b":5,"bit_c":4095,"bit_s":-3,"chained":123456,"magic":18446744073709551615,"seq":${seq}}`
  );
}

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-alltypes-"));
  for (const kind of ["ring", "perf"] as const) {
    const dir = join(out, kind);
    const built = await ecli(["build", join(EXAMPLE, `alltypes-${kind}.bpf.c`), join(EXAMPLE, "alltypes.bpf.h"), "-o", dir]);
    expect(built.code).toBe(0);
    packages[kind] = join(dir, "package.json");
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(["ring", "perf"] as const)("every type through the %s buffer", (kind) => {
  test("JSON lines: each field exact, 128-bit values and escapes included", async () => {
    const run = await RunningEcli.start(["-j", packages[kind], ...FLAGS]);
    trigger(3);
    await Bun.sleep(300);
    const done = await run.stop();
    expect(done.code).toBe(0);
    // A perf event array has a ring per CPU: if the producer moved between CPUs its events
    // may come out of order (each carries its sequence number).
    const lines = done.stdout.split("\n").filter(Boolean);
    expect(kind === "perf" ? lines.sort() : lines).toEqual([expectedLine(0), expectedLine(1), expectedLine(2)]);
    for (const line of done.stdout.split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  test("text table: one header, anonymous members flattened, values under their columns", async () => {
    const run = await RunningEcli.start([packages[kind], ...FLAGS]);
    trigger(1);
    await Bun.sleep(300);
    const done = await run.stop();
    const [header, row, ...rest] = done.stdout.split("\n").filter(Boolean);
    expect(rest).toEqual([]);
    expect(header.split(/\s+/)).toEqual(["TIME", "U8V", "S8V", "U16V", "S16V", "U32V", "S32V", "U64V", "S64V", "U128V", "S128V",
      "FLAG", "LABEL", "TRICKY", "RAW", "NESTED", "AS_U32", "AS_F32", "INTS", "GRID", "COLOR", "WIDE", "RATIO", "SCALE", "PTR",
      "BIT_A", "BIT_B", "BIT_C", "BIT_S", "CHAINED", "MAGIC", "SEQ"]);
    expect(row).toMatch(/^\d\d:\d\d:\d\d 255 +-128 +65535 +-32768 +4294967295 -2147483648 18446744073709551615 -9223372036854775808 /);
    expect(row).toContain(" hello ");
    expect(row).toContain(' {"a":7,"b":70000} ');
    expect(row).toMatch(/ BLUE +WIDE_HUGE +1\.5 +2\.25 +3735928559 +1 +5 +4095 +-3 +123456 +18446744073709551615 0$/);
  });

  test("SIGUSR1 reports the lost-event count while running", async () => {
    const run = await RunningEcli.start(["-j", packages[kind], ...FLAGS]);
    trigger(1);
    await Bun.sleep(200);
    run.proc.kill("SIGUSR1");
    await Bun.sleep(200);
    const done = await run.stop();
    expect(done.code).toBe(0);
    expect(done.stderr).toContain("ecli: 0 events lost (events: 0)\n");
    expect(done.stdout.split("\n").filter(Boolean)).toHaveLength(1);
  });

  test("a flag value out of the variable's range is refused", async () => {
    const done = await ecli(["run", packages[kind], "--magic", "18446744073709551616"]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/--magic/);
  });
});

describe("multiple export types", () => {
  test("export_config custom_members picks fields by offset; no_export silences the map", async () => {
    const pkg = await Bun.file(packages.ring).json();
    const btf = btfFromElf(parseElf(await Bun.file(join(out, "ring", "alltypes-ring.bpf.o")).bytes()));
    const event = btf.find("event", "struct")!;
    if (event.kind !== "struct") throw new Error("event is not a struct");
    const member = (name: string) => event.members.find((m) => m.name === name)!;
    pkg.meta.enable_multiple_export_types = true;
    const events = pkg.meta.bpf_skel.maps.find((m: { name: string }) => m.name === "events");
    events.export_config = { custom_members: [
      { name: "seq", offset: member("seq").bitOffset / 8, btf_type_id: member("seq").typeId },
      { name: "wide", offset: member("wide").bitOffset / 8, btf_type_id: member("wide").typeId },
    ] };
    const custom = join(out, "custom.json");
    writeFileSync(custom, JSON.stringify(pkg));
    const run = await RunningEcli.start(["-j", custom, ...FLAGS]);
    trigger(2);
    await Bun.sleep(300);
    const done = await run.stop();
    expect(done.stdout).toBe('{"seq":0,"wide":"WIDE_HUGE"}\n{"seq":1,"wide":"WIDE_HUGE"}\n');

    // A record shorter than its type (variable-length events) is decoded with zeros for the rest.
    events.export_config = { custom_members: [
      { name: "seq", offset: member("seq").bitOffset / 8, btf_type_id: member("seq").typeId },
      { name: "past_the_end", offset: event.size, btf_type_id: member("seq").typeId },
    ] };
    writeFileSync(custom, JSON.stringify(pkg));
    const padded = await RunningEcli.start(["-j", custom, ...FLAGS]);
    trigger(1);
    await Bun.sleep(200);
    const paddedDone = await padded.stop();
    expect(paddedDone.stdout).toBe('{"seq":0,"past_the_end":0}\n');
    expect(paddedDone.stderr).toContain("1 events from events were shorter than their type: their missing bytes were read as zeros");

    events.export_config = "no_export";
    writeFileSync(custom, JSON.stringify(pkg));
    const quiet = await RunningEcli.start(["-j", custom, ...FLAGS]);
    trigger(2);
    await Bun.sleep(200);
    expect((await quiet.stop()).stdout).toBe("");
  });
});

describe("lost events are counted, never silently dropped", () => {
  test.each(["ring", "perf"] as const)("%s: a stalled consumer loses events, and received + lost = sent", async (kind) => {
    const burst = 20_000;
    // The producer is a shell pinned to CPU 0: the kernel reports a perf buffer's lost
    // samples only with the next sample that fits on the same CPU, so the last probe must
    // come from the CPU that overflowed. Each line on stdin releases one phase.
    const script = `read; for i in $(seq ${burst}); do kill -0 $$; done; echo done; read; kill -0 $$; echo done; read`;
    const producer = Bun.spawn(["taskset", "-c", "0", "bash", "-c", script], { stdin: "pipe", stdout: "pipe" });
    const lines = producer.stdout.getReader();
    const phase = async () => {
      producer.stdin.write("go\n");
      producer.stdin.flush();
      await lines.read();
    };
    const flags = FLAGS.slice(0, -1).concat(String(producer.pid));
    try {
      const run = await RunningEcli.start(["-j", packages[kind], ...flags]);
      run.proc.kill("SIGSTOP"); // the consumer stops draining; the kernel side keeps producing
      await phase();
      run.proc.kill("SIGCONT");
      await Bun.sleep(300);
      await phase();
      await Bun.sleep(300);
      const done = await run.stop();
      expect(done.code).toBe(0);
      const received = done.stdout.split("\n").filter(Boolean).length;
      const report = /ecli: (\d+) events lost \((.*)\)/.exec(done.stderr);
      expect(report).not.toBeNull();
      const lost = Number(report![1]);
      expect(lost).toBeGreaterThan(0);
      expect(received + lost).toBe(burst + 1);
    } finally {
      producer.kill();
      await producer.exited;
    }
  });
});

test("nothing is left in the kernel", async () => {
  expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
});
