/**
 * A veth pair between two network namespaces this test creates (10.200.77.1 in A,
 * 10.200.77.2 in B): traffic stays inside them. Also runs `ecli run` inside a
 * namespace and sends UDP datagrams from one.
 */
import { $ } from "bun";
import type { Subprocess } from "bun";
import { ecliCommand, ROOT, type Finished } from "./ecli.ts";

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

/** `ecli run -v <args>` inside namespace `ns`, resolved once its programs are attached. */
export class EcliInNetns {
  private stderrText = "";
  private readonly stdoutText: Promise<string>;
  private readonly stderrDone: Promise<void>;

  private constructor(readonly proc: Subprocess<"ignore", "pipe", "pipe">) {
    this.stdoutText = new Response(proc.stdout).text();
    this.stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) this.stderrText += decoder.decode(chunk, { stream: true });
    })();
  }

  static async start(ns: string, args: string[], timeoutMs = 20_000): Promise<EcliInNetns> {
    const proc = Bun.spawn(["ip", "netns", "exec", ns, ...ecliCommand(), "run", "-v", ...args], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const running = new EcliInNetns(proc);
    const deadline = Date.now() + timeoutMs;
    while (!/programs attached/.test(running.stderrText)) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        await running.stderrDone;
        throw new Error(`ecli did not attach (exit ${proc.exitCode}): ${running.stderrText}`);
      }
      await Bun.sleep(20);
    }
    return running;
  }

  /** Ends the run if a test failed before stopping it. */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGINT");
  }

  /** Sends `signal` (to ecli itself: `ip netns exec` execs it) and waits for the end. */
  async stop(signal: "SIGINT" | "SIGTERM" = "SIGINT"): Promise<Finished> {
    this.proc.kill(signal);
    const code = await this.proc.exited;
    await this.stderrDone;
    return { code, stdout: await this.stdoutText, stderr: this.stderrText };
  }
}

/** Runs ecli to completion inside namespace `ns`. */
export async function ecliInNetns(ns: string, args: string[]): Promise<Finished> {
  const proc = Bun.spawn(["ip", "netns", "exec", ns, ...ecliCommand(), ...args], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}
