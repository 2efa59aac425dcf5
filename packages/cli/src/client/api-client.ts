/**
 * The client side of the server's HTTP API: one method per endpoint, the token sent
 * with every request, and every failure turned into one line (InputError).
 */
import { InputError } from "../read-input.ts";
import type { TaskInfo } from "../server/task-table.ts";

/** A task as the server lists it (docs/api.md): the server's own description of it. */
export type { TaskInfo } from "../server/task-table.ts";

/** A page of a task's log. */
export interface LogPage { lines: string[]; next: number; missed: number; state: string }

/** Where the server is and how to talk to it. */
export interface ClientOptions {
  endpoint: string;
  token?: string;
  /** PEM of the CA that signed an HTTPS server's certificate. */
  ca?: string;
}

/** Parameters of a start or update: program flags and attach options as `ecli run` takes them. */
export interface TaskParams { name?: string; json?: boolean; args: string[]; attachArgs: string[] }

/** Calls the API. */
export class ApiClient {
  readonly #base: string;

  constructor(readonly opts: ClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.endpoint);
    } catch {
      throw new InputError(`--endpoint must be an http(s) URL, not ${JSON.stringify(opts.endpoint)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new InputError(`--endpoint must be an http(s) URL, not ${JSON.stringify(opts.endpoint)}`);
    this.#base = url.href.replace(/\/$/, "");
  }

  start(pkg: Uint8Array, params: TaskParams): Promise<TaskInfo> {
    return this.#json("POST", `/tasks?${query(params)}`, pkg);
  }

  async list(): Promise<TaskInfo[]> {
    return (await this.#json<{ tasks: TaskInfo[] }>("GET", "/tasks")).tasks;
  }

  stop(id: string): Promise<TaskInfo> {
    return this.#json("POST", `/tasks/${encodeURIComponent(id)}/stop`);
  }

  remove(id: string): Promise<TaskInfo> {
    return this.#json("DELETE", `/tasks/${encodeURIComponent(id)}`);
  }

  pause(id: string): Promise<TaskInfo> {
    return this.#json("POST", `/tasks/${encodeURIComponent(id)}/pause`);
  }

  resume(id: string): Promise<TaskInfo> {
    return this.#json("POST", `/tasks/${encodeURIComponent(id)}/resume`);
  }

  update(id: string, pkg: Uint8Array, params: TaskParams): Promise<TaskInfo> {
    return this.#json("PUT", `/tasks/${encodeURIComponent(id)}/package?${query(params)}`, pkg);
  }

  log(id: string, cursor: number, limit = 1000): Promise<LogPage> {
    return this.#json("GET", `/tasks/${encodeURIComponent(id)}/log?cursor=${cursor}&limit=${limit}`);
  }

  /** The log as a stream of lines from `cursor` on, ending when the task ends. */
  async follow(id: string, cursor: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#send("GET", `/tasks/${encodeURIComponent(id)}/log?follow=1&cursor=${cursor}`, undefined, signal);
    return response.body ?? new ReadableStream();
  }

  async #send(method: string, path: string, body?: Uint8Array, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    if (body) headers["content-type"] = "application/octet-stream";
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method, headers, body: body as Uint8Array<ArrayBuffer> | undefined, signal,
        tls: this.opts.ca === undefined ? undefined : { ca: this.opts.ca },
      });
    } catch (err) {
      throw new InputError(`cannot reach the server at ${this.#base}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (!response.ok) {
      const text = await response.text();
      let message = text.trim().split("\n")[0] || response.statusText;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        // Not our server's JSON: keep its first line.
      }
      throw new InputError(`server: ${message} (HTTP ${response.status})`);
    }
    return response;
  }

  async #json<T>(method: string, path: string, body?: Uint8Array): Promise<T> {
    const response = await this.#send(method, path, body);
    try {
      return (await response.json()) as T;
    } catch {
      throw new InputError(`the server at ${this.#base} did not answer JSON`);
    }
  }
}

function query(params: TaskParams): string {
  const q = new URLSearchParams();
  if (params.name !== undefined) q.set("name", params.name);
  if (params.json !== undefined) q.set("mode", params.json ? "json" : "text");
  for (const a of params.args) q.append("arg", a);
  for (const a of params.attachArgs) q.append("attach", a);
  return q.toString();
}
