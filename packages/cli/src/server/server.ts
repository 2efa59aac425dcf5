/**
 * `startServer`: the eBPF-as-a-service HTTP server on Bun.serve (HTTP/1.1, optional TLS),
 * running many tasks in this process.
 */
import type { Server } from "bun";
import { UsageError } from "../cli-error.ts";
import { bearerCheck } from "./auth.ts";
import { isLoopback, type ListenAddress } from "./listen-address.ts";
import { handleRequest } from "./routes.ts";
import { startStallWatchdog } from "./stall-watchdog.ts";
import { TaskTable, type TaskLimits } from "./task-table.ts";

/** How long shutdown waits for modules to end and release their objects (they end at their next wait). */
const STOP_WAIT_MS = 2000;

/** How to run the server. */
export interface ServerOptions {
  listen: ListenAddress;
  /** Required unless `listen` is loopback. */
  token?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string; key: string };
  maxBodyBytes: number;
  limits: TaskLimits;
  /** Kill the process when the event loop has not turned for this long (stall-watchdog.ts); default: never. */
  stallLimitMs?: number;
}

/** A started server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:8527 (the real port when 0 was asked). */
  url: string;
  tasks: TaskTable;
  /** Stops every task (nothing left in the kernel) and closes the listener. */
  stop(): Promise<void>;
}

/**
 * Starts listening.
 * @throws UsageError when asked to listen beyond loopback without a token.
 */
export function startServer(opts: ServerOptions): RunningServer {
  if (!isLoopback(opts.listen.host) && opts.token === undefined) {
    throw new UsageError(`listening on ${opts.listen.host} (not loopback) needs a token: give --token-file`);
  }
  const tasks = new TaskTable(opts.limits);
  let server: Server<undefined>;
  const ctx = {
    tasks,
    authorized: bearerCheck(opts.token),
    maxBodyBytes: opts.maxBodyBytes,
    keepOpen: (request: Request) => server.timeout(request, 0),
  };
  server = Bun.serve({
    hostname: opts.listen.host,
    port: opts.listen.port,
    // Bun's own limit sits above ours, so ours answers first with a clear 413.
    maxRequestBodySize: opts.maxBodyBytes + 65536,
    tls: opts.tls,
    fetch: (request) => handleRequest(ctx, request),
    error: (err) => Response.json({ error: `internal error: ${err.message.split("\n")[0]}` }, { status: 500 }),
  });
  const watchdog = opts.stallLimitMs ? startStallWatchdog(opts.stallLimitMs) : undefined;
  const scheme = opts.tls ? "https" : "http";
  const host = opts.listen.host.includes(":") ? `[${opts.listen.host}]` : opts.listen.host;
  return {
    url: `${scheme}://${host}:${server.port}`,
    tasks,
    stop: async () => {
      await Promise.race([tasks.stopAll(), Bun.sleep(STOP_WAIT_MS)]);
      await server.stop(true);
      watchdog?.stop();
    },
  };
}
