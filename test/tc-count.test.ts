/**
 * End to end: examples/tc-count attached with `ecli run --iface --tc-attach` inside a
 * network namespace this test creates; UDP datagrams over a veth pair are seen
 * exactly on egress and on ingress, and the tc filter and clsact qdisc are gone
 * after SIGINT, after SIGTERM and after a failed attach.
 */
import { $ } from "bun";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ROOT } from "./helpers/ecli.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { createVethPair, destroyVethPair, ecliInNetns, reapRuns, startInNetns, sendUdp, type VethPair } from "./helpers/netns.ts";

interface PacketEvent { eth_proto: number; ip_proto: number; icmp_type: number; len: number }

let out: string;
let pkg: string;
let failing: string;
let pair: VethPair | undefined;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-tc-"));
  const built = await ecli(["build", join(ROOT, "examples/tc-count/tc-count.bpf.c"), join(ROOT, "examples/tc-count/tc-count.bpf.h"), "-o", join(out, "tc")]);
  expect(built.code).toBe(0);
  pkg = join(out, "tc/package.json");
  const fixture = await ecli(["build", join(ROOT, "test/fixtures/tc-then-kprobe.bpf.c"), "-o", join(out, "bad")]);
  expect(fixture.code).toBe(0);
  failing = join(out, "bad/package.json");
  pair = await createVethPair("t");
});

// A test that failed before stopping its run still ends it before the next test.
afterEach(reapRuns);

afterAll(async () => {
  if (pair) await destroyVethPair(pair);
  rmSync(out, { recursive: true, force: true });
});

function udpEvents(stdout: string): PacketEvent[] {
  return stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as PacketEvent).filter((e) => e.eth_proto === 2048 && e.ip_proto === 17);
}

async function tcState(ns: string, dev: string): Promise<{ qdisc: string; ingress: string; egress: string }> {
  return {
    qdisc: await $`tc -n ${ns} qdisc show dev ${dev}`.text(),
    ingress: await $`tc -n ${ns} filter show dev ${dev} ingress`.text(),
    egress: await $`tc -n ${ns} filter show dev ${dev} egress`.text(),
  };
}

describe("ecli run examples/tc-count", () => {
  test("egress on the sender: every datagram seen once, filter and qdisc gone after SIGINT", async () => {
    const p = pair!;
    const run = await startInNetns(p.nsA, ["-j", "--iface", p.ifA, "--tc-attach", "egress", pkg]);
    const during = await tcState(p.nsA, p.ifA);
    expect(during.qdisc).toContain("qdisc clsact");
    expect(during.egress).toContain("tc_count");
    expect(during.ingress).toBe("");
    await sendUdp(p.nsA, p.addrB, 9999, 4);
    await Bun.sleep(300);
    const done = await run.stop("SIGINT");
    expect(done.code).toBe(0);
    // skb->len: 14 (ethernet) + 20 (IPv4) + 8 (UDP) + "eunomia N" (9 bytes)
    expect(udpEvents(done.stdout).map((e) => e.len)).toEqual([51, 51, 51, 51]);
    expect(await tcState(p.nsA, p.ifA)).toEqual({ qdisc: expect.not.stringContaining("clsact"), ingress: "", egress: "" });
  });

  test("ingress on the receiver by --ifindex: filter and qdisc gone after SIGTERM", async () => {
    const p = pair!;
    const ifindex = (await $`ip netns exec ${p.nsB} cat /sys/class/net/${p.ifB}/ifindex`.text()).trim();
    const run = await startInNetns(p.nsB, ["-j", "--ifindex", ifindex, "--tc-attach", "ingress", pkg]);
    expect((await tcState(p.nsB, p.ifB)).ingress).toContain("tc_count");
    await sendUdp(p.nsA, p.addrB, 9999, 3);
    await Bun.sleep(300);
    const done = await run.stop("SIGTERM");
    expect(done.code).toBe(0);
    expect(udpEvents(done.stdout).length).toBe(3);
    expect(await tcState(p.nsB, p.ifB)).toEqual({ qdisc: expect.not.stringContaining("clsact"), ingress: "", egress: "" });
  });

  test("a qdisc that was already there stays; only our filter goes", async () => {
    const p = pair!;
    await $`tc -n ${p.nsA} qdisc add dev ${p.ifA} clsact`;
    try {
      const run = await startInNetns(p.nsA, ["--iface", p.ifA, "--tc-attach", "egress", pkg]);
      expect((await tcState(p.nsA, p.ifA)).egress).toContain("tc_count");
      expect((await run.stop()).code).toBe(0);
      const after = await tcState(p.nsA, p.ifA);
      expect(after.qdisc).toContain("qdisc clsact");
      expect(after.egress).toBe("");
    } finally {
      await $`tc -n ${p.nsA} qdisc del dev ${p.ifA} clsact`.quiet().nothrow();
    }
  });

  test("an attach error after the tc program attached removes the filter and qdisc again", async () => {
    const p = pair!;
    const done = await ecliInNetns(p.nsA, ["run", "--iface", p.ifA, "--tc-attach", "egress", failing]);
    expect(done.code).toBe(1);
    expect(done.stderr).toBe("ecli: program kprobe_after_tc (kprobe/do_unlinkat): kprobes cannot attach on this kernel (CONFIG_KPROBES is off) [ENOENT]\n");
    expect(await tcState(p.nsA, p.ifA)).toEqual({ qdisc: expect.not.stringContaining("clsact"), ingress: "", egress: "" });
  });

  test("a bad --tc-attach is a usage error", async () => {
    const done = await ecli(["run", "--tc-attach", "sideways", pkg]);
    expect(done.code).toBe(2);
    expect(done.stderr).toBe('ecli: --tc-attach takes ingress or egress, not "sideways"\n');
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
