/**
 * A stand-in for `ecli run -j` that stops after a chosen stage of the event path, so the
 * bench can say where the consumer's time goes. It loads a package with the same
 * libraries ecli uses (@eunomia/loader, @eunomia/decoder) and the same loop as
 * packages/cli/src/commands/run.ts (wait on the poller, drain the ring, write once per
 * drain), then does, per record:
 *
 *   walk         nothing (ring walk, wake-ups and the loop only)
 *   decode       createDecoder(...)(bytes)
 *   format       formatJson(decode(bytes))                      (what ecli -j formats)
 *   fast-format  createJsonFormatter(...)(bytes)
 *   write        formatJson(decode(bytes)), joined and written per drain (= ecli -j)
 *   fast-write   createJsonFormatter(...)(bytes), joined and written per drain
 *   sync-write   createJsonFormatter(...)(bytes), written with writeSync every 1024 lines
 *
 * Usage: bun tools/bench/ecli-stages.ts <stage> <package.json> <tgid>
 * Prints "stages: attached" on stderr once attached, and at exit (SIGINT/SIGTERM, after a
 * final drain) one line: "stages: stage=S received=R cpu_us=C span_ms=T", where C is this
 * process's user+system CPU from the first record to the last and T the wall time between.
 */
import { writeSync } from "node:fs";
import { btfFromElf, createDecoder, createJsonFormatter, formatJson, globalVariables, parseElf } from "@eunomia/decoder";
import { BPF_MAP_TYPE_RINGBUF, openObject, readPackage, RingBufferReader } from "@eunomia/loader";

/** The stages this consumer can stop after. */
export const STAGES = ["walk", "decode", "format", "fast-format", "write", "fast-write", "sync-write"] as const;
/** One of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

const SYNC_BATCH = 1024;

function fail(message: string): never {
  process.stderr.write(`stages: ${message}\n`);
  process.exit(2);
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function main(argv: string[]): Promise<void> {
  const [stageArg, packagePath, tgidArg] = argv;
  if (!STAGES.includes(stageArg as Stage)) fail(`unknown stage ${JSON.stringify(stageArg)} (one of ${STAGES.join(", ")})`);
  const stage = stageArg as Stage;
  const tgid = Number(tgidArg);
  if (!packagePath || !Number.isInteger(tgid) || tgid <= 0) fail("usage: ecli-stages.ts <stage> <package.json> <tgid>");

  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const pkg = readPackage(await Bun.file(packagePath).text());
  const elf = parseElf(pkg.object);
  const btf = btfFromElf(elf);
  const typeId = pkg.meta.export_types[0]?.type_id;
  if (typeId === undefined) fail(`${packagePath} exports no event type`);
  const target = globalVariables(elf, btf).find((v) => v.name === "target_tgid");
  if (!target) fail(`${packagePath} has no global target_tgid`);
  const decode = createDecoder(btf, typeId);
  const toJson = createJsonFormatter(btf, typeId);

  using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
  const value = new Uint8Array(4);
  new DataView(value.buffer).setInt32(0, tgid, true);
  obj.writeSection(target.section, target.offset, value);
  obj.load();
  obj.attachAll();
  const ringMap = obj.maps().find((m) => m.type === BPF_MAP_TYPE_RINGBUF);
  if (!ringMap) fail(`${packagePath} has no ring buffer`);
  using ring = new RingBufferReader(obj.mapFd(ringMap.name));
  process.stderr.write("stages: attached\n");

  let received = 0;
  let firstCpu = 0;
  let lastCpu = 0;
  let firstAt = 0;
  let lastAt = 0;
  let sink = 0;
  let pending: string[] = [];

  const perRecord: Record<Stage, (data: Uint8Array) => void> = {
    "walk": () => {},
    "decode": (data) => {
      if (decode(data) === null) sink++;
    },
    "format": (data) => {
      sink += formatJson(decode(data)).length;
    },
    "fast-format": (data) => {
      sink += toJson(data).length;
    },
    "write": (data) => {
      pending.push(formatJson(decode(data)));
    },
    "fast-write": (data) => {
      pending.push(toJson(data));
    },
    "sync-write": (data) => {
      pending.push(toJson(data));
      if (pending.length >= SYNC_BATCH) writeOut();
    },
  };
  const handle = perRecord[stage];
  const onRecord = (data: Uint8Array) => {
    if (received === 0) {
      firstCpu = cpuMicros();
      firstAt = performance.now();
    }
    received++;
    handle(data);
  };
  function writeOut(): void {
    if (pending.length === 0) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length; ) off += writeSync(1, bytes, off);
  }
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    await Bun.write(Bun.stdout, text);
  };
  const drain = async () => {
    const before = received;
    ring.drain(onRecord);
    if (stage === "sync-write") writeOut();
    else await flush();
    if (received !== before) {
      lastCpu = cpuMicros();
      lastAt = performance.now();
    }
  };

  // As in `ecli run`: wait in 100 ms slices, so a signal is noticed within one.
  while (!stopping) {
    if (await ring.wait(100)) await drain();
  }
  await drain();
  process.stderr.write(
    `stages: stage=${stage} received=${received} cpu_us=${lastCpu - firstCpu} span_ms=${(lastAt - firstAt).toFixed(1)} sink=${sink}\n`,
  );
}

if (import.meta.main) await main(process.argv.slice(2));
