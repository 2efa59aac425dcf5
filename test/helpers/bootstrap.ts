/** What the end-to-end tests of examples/bootstrap share: its sources, its event, and a way to make events. */
import { join } from "node:path";
import { ROOT } from "./ecli.ts";

export const BOOTSTRAP_SOURCE = join(ROOT, "examples/bootstrap/bootstrap.bpf.c");
export const BOOTSTRAP_HEADER = join(ROOT, "examples/bootstrap/bootstrap.bpf.h");

/** One decoded bootstrap event, as `ecli run -j` prints it. */
export interface BootstrapEvent {
  pid: number; ppid: number; exit_code: number; duration_ns: bigint | number;
  comm: string; filename: string; exit_event: boolean;
}

/** Starts `argv` as a child of this test process and waits for it; returns its pid. */
export async function child(argv: string[]): Promise<number> {
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  await p.exited;
  return p.pid;
}
