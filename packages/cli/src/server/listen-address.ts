/** The server's `--listen HOST:PORT`, and whether that host is loopback-only. */
import { UsageError } from "../cli-error.ts";

/** Where the server listens. */
export interface ListenAddress { host: string; port: number }

export const DEFAULT_LISTEN = "127.0.0.1:8527";

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces).
 * @throws UsageError for a missing or out-of-range port.
 */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--listen takes HOST:PORT (e.g. ${DEFAULT_LISTEN}), not ${JSON.stringify(text)}`);
  }
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
