/**
 * End to end: examples/xdp-count attached with `ecli run --iface` inside a network
 * namespace this test creates; UDP datagrams sent over a veth pair between two such
 * namespaces are seen exactly, and the program is detached after the run.
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
let pair: VethPair | undefined;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-xdp-"));
  const built = await ecli(["build", join(ROOT, "examples/xdp-count/xdp-count.bpf.c"), join(ROOT, "examples/xdp-count/xdp-count.bpf.h"), "-o", out]);
  expect(built.code).toBe(0);
  pkg = join(out, "package.json");
  pair = await createVethPair("x");
});

// A test that failed before stopping its run still ends it before the next test.
afterEach(reapRuns);

afterAll(async () => {
  if (pair) await destroyVethPair(pair);
  rmSync(out, { recursive: true, force: true });
});

function events(stdout: string): PacketEvent[] {
  return stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as PacketEvent);
}

describe("ecli run examples/xdp-count", () => {
  test("the package names the xdp program", async () => {
    const json = await Bun.file(pkg).json();
    expect(json.meta.bpf_skel.progs).toEqual([{ name: "xdp_count", attach: "xdp", link: true }]);
  });

  test("--iface attaches through a bpf_link; UDP datagrams arrive counted exactly; detached on exit", async () => {
    const p = pair!;
    const run = await startInNetns(p.nsB, ["-j", "--iface", p.ifB, pkg]);
    const attached = await $`ip -n ${p.nsB} link show ${p.ifB}`.text();
    expect(attached).toMatch(/ xdp qdisc /);
    await sendUdp(p.nsA, p.addrB, 9999, 5);
    await Bun.sleep(300);
    const done = await run.stop("SIGINT");
    expect(done.code).toBe(0);
    const udp = events(done.stdout).filter((e) => e.eth_proto === 2048 && e.ip_proto === 17);
    expect(udp.length).toBe(5);
    // 14 (ethernet) + 20 (IPv4) + 8 (UDP) + "eunomia N" (9 bytes)
    expect(udp.map((e) => e.len)).toEqual([51, 51, 51, 51, 51]);
    expect(await $`ip -n ${p.nsB} link show ${p.ifB}`.text()).not.toMatch(/ xdp(generic|drv|offload)? /);
  });

  test("--ifindex works the same; --xdp-flags 2 attaches in SKB mode through netlink and is removed", async () => {
    const p = pair!;
    const ifindex = (await $`ip netns exec ${p.nsB} cat /sys/class/net/${p.ifB}/ifindex`.text()).trim();
    const run = await startInNetns(p.nsB, ["-j", "--ifindex", ifindex, "--xdp-flags", "2", pkg]);
    expect(await $`ip -n ${p.nsB} link show ${p.ifB}`.text()).toContain("xdpgeneric");
    await sendUdp(p.nsA, p.addrB, 9999, 3);
    await Bun.sleep(300);
    const done = await run.stop("SIGTERM");
    expect(done.code).toBe(0);
    expect(events(done.stdout).filter((e) => e.ip_proto === 17).length).toBe(3);
    expect(await $`ip -n ${p.nsB} link show ${p.ifB}`.text()).not.toMatch(/ xdp(generic|drv|offload)? /);
  });

  test("without an interface, or with an unknown one, one clear line", async () => {
    const p = pair!;
    const none = await ecliInNetns(p.nsB, ["run", pkg]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("ecli: attach program 'xdp_count' (xdp): EINVAL (invalid argument): no interface given (package ifindex, or ecli --iface/--ifindex)\n");
    const unknown = await ecliInNetns(p.nsB, ["run", "--iface", "nosuch0", pkg]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("ecli: --iface: no network interface named nosuch0\n");
  });

  test("nothing of ours is left in the kernel", async () => {
    expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
  });
});
