/**
 * The HTTP JSON API (docs/api.md, docs/openapi.json): authentication first, then the
 * route; every failure is a JSON `{"error": "<one line>"}` with its status code.
 */
import type { OutputMode } from "../event-output.ts";
import { ApiError } from "./api-error.ts";
import { followStream } from "./log-stream.ts";
import { readBody } from "./request-body.ts";
import { runnerFactory } from "./task-kinds.ts";
import type { TaskRequest } from "./task-runner.ts";
import type { TaskTable } from "./task-table.ts";

/** What the routes need. */
export interface ApiContext {
  tasks: TaskTable;
  /** Checks the Authorization header (always true without a token). */
  authorized: (header: string | null) => boolean;
  maxBodyBytes: number;
  /** Lets a streaming response live longer than the idle timeout. */
  keepOpen: (request: Request) => void;
}

const MAX_NAME = 64;
const LOG_PAGE_DEFAULT = 1000;
const LOG_PAGE_MAX = 10000;

const json = (body: unknown, status = 200) => Response.json(body, { status });

function failure(err: unknown): Response {
  if (err instanceof ApiError) {
    const headers: Record<string, string> = err.status === 401 ? { "www-authenticate": 'Bearer realm="ecli"' } : {};
    return Response.json({ error: err.message }, { status: err.status, headers });
  }
  return json({ error: `internal error: ${(err as Error)?.message?.split("\n")[0] ?? String(err)}` }, 500);
}

function modeParam(query: URLSearchParams, fallback: OutputMode): OutputMode {
  const mode = query.get("mode") ?? fallback;
  if (mode !== "text" && mode !== "json") throw new ApiError(400, `mode must be text or json, not ${JSON.stringify(mode)}`);
  return mode;
}

function nameParam(query: URLSearchParams, fallback: string): string {
  const name = query.get("name") ?? fallback;
  if (name.length === 0 || name.length > MAX_NAME || /[\x00-\x1f\x7f]/.test(name)) {
    throw new ApiError(400, `name must be 1 to ${MAX_NAME} printable characters`);
  }
  return name;
}

function countParam(query: URLSearchParams, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = query.get(key);
  if (text === null) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new ApiError(400, `${key} must be an integer from 0 to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

function taskRequest(query: URLSearchParams, mode: OutputMode): TaskRequest {
  return { name: "", mode, args: query.getAll("arg"), attachArgs: query.getAll("attach") };
}

/**
 * A module runs until its first wait within start(); one that ends right away (a failed
 * load, an exit) has settled one turn later, so the answer can tell its fate.
 */
const settledTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function startTask(ctx: ApiContext, request: Request, query: URLSearchParams): Promise<Response> {
  const mode = modeParam(query, "text");
  if (query.has("name")) nameParam(query, ""); // a bad name fails before the body is read
  const body = await readBody(request, ctx.maxBodyBytes);
  const { factory, defaultName, kind } = runnerFactory(body, taskRequest(query, mode));
  const started = ctx.tasks.start(nameParam(query, defaultName.slice(0, MAX_NAME) || "task"), mode, factory, kind);
  if (kind !== "wasm") return json(started, 201);
  await settledTurn();
  return json(ctx.tasks.info(started.id), 201);
}

async function updateTask(ctx: ApiContext, id: string, request: Request, query: URLSearchParams): Promise<Response> {
  const receivedAt = performance.now();
  const current = ctx.tasks.info(id);
  const body = await readBody(request, ctx.maxBodyBytes);
  const { factory, kind } = runnerFactory(body, taskRequest(query, current.mode));
  const updated = ctx.tasks.update(id, factory, receivedAt, kind);
  if (kind !== "wasm") return json(updated);
  await settledTurn();
  return json(ctx.tasks.info(id));
}

function readLog(ctx: ApiContext, id: string, request: Request, query: URLSearchParams): Response {
  const ring = ctx.tasks.output(id);
  const cursor = countParam(query, "cursor", 0);
  const follow = query.get("follow");
  if (follow === "1" || follow === "true") {
    const sse = (request.headers.get("accept") ?? "").includes("text/event-stream");
    ctx.keepOpen(request);
    const type = sse ? "text/event-stream" : "text/plain; charset=utf-8";
    return new Response(followStream(ring, cursor, sse, request.signal), { headers: { "content-type": type, "cache-control": "no-store" } });
  }
  const page = ring.read(cursor, countParam(query, "limit", LOG_PAGE_DEFAULT, LOG_PAGE_MAX));
  return json({ ...page, state: ctx.tasks.info(id).state });
}

type Route = (ctx: ApiContext, request: Request, query: URLSearchParams, id: string) => Response | Promise<Response>;

/** Routes by path (OpenAPI form: `{id}` is a path parameter), then method. */
const ROUTES: Array<{ path: string; methods: Record<string, Route> }> = [
  { path: "/health", methods: { GET: (ctx) => json({ status: "ok", tasks: ctx.tasks.list().length }) } },
  {
    path: "/tasks",
    methods: {
      GET: (ctx) => json({ tasks: ctx.tasks.list() }),
      POST: (ctx, request, query) => startTask(ctx, request, query),
    },
  },
  {
    path: "/tasks/{id}",
    methods: { GET: (ctx, _r, _q, id) => json(ctx.tasks.info(id)), DELETE: (ctx, _r, _q, id) => json(ctx.tasks.remove(id)) },
  },
  { path: "/tasks/{id}/stop", methods: { POST: (ctx, _r, _q, id) => json(ctx.tasks.stop(id)) } },
  { path: "/tasks/{id}/pause", methods: { POST: (ctx, _r, _q, id) => json(ctx.tasks.pause(id)) } },
  { path: "/tasks/{id}/resume", methods: { POST: (ctx, _r, _q, id) => json(ctx.tasks.resume(id)) } },
  { path: "/tasks/{id}/package", methods: { PUT: (ctx, request, query, id) => updateTask(ctx, id, request, query) } },
  { path: "/tasks/{id}/log", methods: { GET: (ctx, request, query, id) => readLog(ctx, id, request, query) } },
];

const MATCHERS = ROUTES.map((r) => ({ ...r, pattern: new RegExp(`^${r.path.replace("{id}", "([^/]+)")}$`) }));

/** Every endpoint as `METHOD /path` (OpenAPI form), for the test that keeps docs/openapi.json in sync. */
export function endpoints(): string[] {
  return ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.path}`));
}

/** Answers one request. Never throws. */
export async function handleRequest(ctx: ApiContext, request: Request): Promise<Response> {
  try {
    if (!ctx.authorized(request.headers.get("authorization"))) throw new ApiError(401, "missing or wrong token (send Authorization: Bearer <token>)");
    const url = new URL(request.url);
    const route = MATCHERS.find((r) => r.pattern.test(url.pathname));
    if (!route) throw new ApiError(404, `no such endpoint ${url.pathname}`);
    const handler = route.methods[request.method];
    if (!handler) throw new ApiError(405, `${request.method} is not allowed on ${url.pathname} (allowed: ${Object.keys(route.methods).join(", ")})`);
    let id: string;
    try {
      id = decodeURIComponent(route.pattern.exec(url.pathname)?.[1] ?? "");
    } catch {
      throw new ApiError(400, `malformed task id in ${url.pathname}`);
    }
    return await handler(ctx, request, url.searchParams, id);
  } catch (err) {
    return failure(err);
  }
}
