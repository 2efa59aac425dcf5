/**
 * A veth pair between two network namespaces this test creates (10.200.77.1 in A,
 * 10.200.77.2 in B): traffic stays inside them. Also runs ecli inside a namespace
 * (the shared helpers of ecli.ts under `ip netns exec`) and sends UDP datagrams from one.
 */
import { $ } from "bun";
import { ecli, RunningEcli, type Finished } from "./ecli.ts";

/** The pair: namespace and interface names of each end. */
export interface VethPair { nsA: string; nsB: string; ifA: string; ifB: string; addrA: string; addrB: string }

/** Creates two namespaces joined by a veth pair, addresses up. Names carry `tag` and the pid. */
export async function createVethPair(tag: string): Promise<VethPair> {
  const id = `${tag}${process.pid % 10000}`;
  const pair = { nsA: `ecli-${id}-a`, nsB: `ecli-${id}-b`, ifA: "veth-a", ifB: "veth-b", addrA: "10.200.77.1", addrB: "10.200.77.2" };
  await destroyVethPair(pair);
  await $`ip netns add ${pair.nsA}`;
  await $`ip netns add ${pair.nsB}`;
  await $`ip -n ${pair.nsA} link add ${pair.ifA} type veth peer name ${pair.ifB} netns ${pair.nsB}`;
  await $`ip -n ${pair.nsA} addr add ${pair.addrA}/24 dev ${pair.ifA}`;
  await $`ip -n ${pair.nsB} addr add ${pair.addrB}/24 dev ${pair.ifB}`;
  await $`ip -n ${pair.nsA} link set ${pair.ifA} up`;
  await $`ip -n ${pair.nsB} link set ${pair.ifB} up`;
  return pair;
}

/** Removes both namespaces (the veth pair goes with them). Safe when they do not exist. */
export async function destroyVethPair(pair: VethPair): Promise<void> {
  await $`ip netns del ${pair.nsA}`.quiet().nothrow();
  await $`ip netns del ${pair.nsB}`.quiet().nothrow();
}

/**
 * Sends `count` UDP datagrams from namespace `ns` to `addr`:`port` (nobody listens:
 * the ICMP "port unreachable" that comes back surfaces as a send error, ignored).
 */
export async function sendUdp(ns: string, addr: string, port: number, count: number): Promise<void> {
  const script = [
    "import socket, time",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    `for i in range(${count}):`,
    "    try:",
    `        s.sendto(b"eunomia %d" % i, ("${addr}", ${port}))`,
    "    except OSError:",
    "        pass",
    "    time.sleep(0.02)",
  ].join("\n");
  await $`ip netns exec ${ns} python3 -c ${script}`.quiet();
}

/** The command prefix that runs a command inside namespace `ns`. */
const inNetns = (ns: string) => ["ip", "netns", "exec", ns];

/** Runs `startInNetns` started, until `reapRuns` ends them. */
const started: RunningEcli[] = [];

/**
 * Starts `ecli run -v <args>` inside namespace `ns` (resolved once its programs are
 * attached) and remembers it, so that `reapRuns()` ends whatever a failed test left running.
 */
export async function startInNetns(ns: string, args: string[]): Promise<RunningEcli> {
  const run = await RunningEcli.start(args, { prefix: inNetns(ns) });
  started.push(run);
  return run;
}

/** Ends every run `startInNetns` started that is still going (for afterEach). */
export async function reapRuns(): Promise<void> {
  for (const run of started.splice(0)) {
    run.kill();
    await run.proc.exited;
  }
}

/** Runs ecli to completion inside namespace `ns`. */
export function ecliInNetns(ns: string, args: string[]): Promise<Finished> {
  return ecli(args, { prefix: inNetns(ns) });
}
