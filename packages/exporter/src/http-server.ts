/**
 * The exporter's HTTP side: `/metrics` (Prometheus text), `/healthz`, and the original's
 * program API: `POST /start` (a program entry as YAML or JSON), `POST /stop` (`{"id": N}`
 * or `?id=N`), `GET /list`. The program API loads code into the kernel, so off loopback
 * it answers only requests bearing the configured token.
 */
import type { Server } from "bun";
import { ConfigError } from "./config/config-error.ts";
import { readProgramConfig } from "./config/read-config.ts";
import type { Exporter } from "./exporter.ts";

export interface ServeOptions {
  hostname: string;
  port: number;
  /** Required as `Authorization: Bearer <token>` on the program API; needed off loopback. */
  token?: string;
  /** One line per API error, for the operator. */
  onError?: (line: string) => void;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

/**
 * Serves `exporter`. Throws when the address cannot be bound (EADDRINUSE, EACCES).
 * @example const server = serveExporter(exporter, { hostname: "127.0.0.1", port: 8526 });
 */
export function serveExporter(exporter: Exporter, opts: ServeOptions): Server<undefined> {
  const apiOpen = opts.token === undefined && isLoopbackHost(opts.hostname);
  const allowed = (req: Request) => apiOpen || (opts.token !== undefined && req.headers.get("authorization") === `Bearer ${opts.token}`);
  const fail = (status: number, message: string) => {
    opts.onError?.(message);
    return json({ error: message }, status);
  };
  return Bun.serve({
    hostname: opts.hostname,
    port: opts.port,
    development: false,
    async fetch(req) {
      const url = new URL(req.url);
      const route = `${req.method} ${url.pathname}`;
      if (route === "GET /metrics") {
        return new Response(await exporter.metrics(), { headers: { "content-type": exporter.registry.contentType } });
      }
      if (route === "GET /healthz") return new Response("ok\n");
      if (!["GET /list", "POST /start", "POST /stop"].includes(route)) return fail(404, `no route ${route}`);
      if (!allowed(req)) return fail(403, "the program API needs the exporter's token off loopback");
      if (route === "GET /list") return json(exporter.list());
      if (route === "POST /start") {
        try {
          const id = await exporter.start(readProgramConfig(await req.text(), "request body"));
          return json({ id });
        } catch (err) {
          return fail(err instanceof ConfigError ? 400 : 500, `start: ${(err as Error).message.split("\n")[0]}`);
        }
      }
      const text = url.searchParams.get("id") ?? (await req.text().then((t) => {
        try {
          return String((JSON.parse(t) as { id?: unknown }).id);
        } catch {
          return t.trim();
        }
      }));
      const id = Number(text);
      if (!Number.isInteger(id) || id < 1) return fail(400, `stop: id must be a positive integer, not ${JSON.stringify(text)}`);
      return (await exporter.stop(id)) ? json({ stopped: id }) : fail(404, `stop: no program with id ${id}`);
    },
  });
}
