/**
 * `ecli client [--endpoint URL] [--token-file F] [--ca F] <command>`: drives an
 * `ecli server`: start, list, stop, pause, resume, update tasks and read their logs.
 * Errors from the server come out as one line and exit 1.
 */
import { takeAttachFlag, type AttachFlags } from "../attach-flags.ts";
import { UsageError } from "../cli-error.ts";
import { ApiClient, type TaskInfo, type TaskParams } from "../client/api-client.ts";
import { moduleTaskName, packageUpload } from "../client/package-upload.ts";
import { InputError, readInput } from "../read-input.ts";
import { tokenFromFile } from "../server/auth.ts";

const DEFAULT_ENDPOINT = "http://127.0.0.1:8527";

const CLIENT_USAGE = "usage: ecli client [--endpoint URL] [--token-file FILE] [--ca FILE] <start|list|stop|pause|resume|update|log> ...";

const CLIENT_HELP = `${CLIENT_USAGE}

commands:
  start <package> [--name N] [-j] [attach options] [-- program flags]
                          start a task; prints its id
  list [-j]               the tasks: id, name, state, uptime, events, lost, dropped lines
  stop ID                 stop a task (its log stays readable)
  rm ID                   stop a task and forget it
  pause ID                detach a task's programs (they stay loaded, maps keep their contents)
  resume ID               attach them again
  update ID <package> [attach options] [-- program flags]
                          replace a task's package in place: the new one is attached before the old one is detached
  log ID [-f] [--cursor N]
                          print a task's output (-f: follow it until the task ends or Ctrl-C)

options:
  --endpoint URL          the server (default ${DEFAULT_ENDPOINT})
  --token-file FILE       send the token in FILE with every request
  --ca FILE               PEM CA certificate of an HTTPS server
  -h, --help              print this help

<package> is a package.json, package.msgpack, .bpf.o, URL or - (sent in MessagePack form),
or a WebAssembly module (app.wasm, sent as it is; its arguments go after --; it cannot be paused).
Attach options are ecli run's (--iface, --tc-attach, --xdp-flags, --uprobe-binary, --uprobe-func, --pid, --freq, --cpus).
`;

interface ClientArgs { endpoint: string; tokenFile?: string; ca?: string; command: string; rest: string[] }

/** Splits the client's own options from the command and its arguments. */
export function parseClientArgs(argv: string[]): ClientArgs | "help" {
  const args: Partial<ClientArgs> = { endpoint: DEFAULT_ENDPOINT };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value (${CLIENT_USAGE})`);
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--endpoint") args.endpoint = value();
    else if (a === "--token-file") args.tokenFile = value();
    else if (a === "--ca") args.ca = value();
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (${CLIENT_USAGE})`);
    else break;
  }
  if (i >= argv.length) throw new UsageError(`no command given (${CLIENT_USAGE})`);
  return { ...(args as ClientArgs), command: argv[i], rest: argv.slice(i + 1) };
}

/** Parses `<package> [--name N] [-j] [attach options] [-- program flags]`. */
export function parseTaskArgs(argv: string[], what: string): { source: string; params: TaskParams } {
  const params: TaskParams = { args: [], attachArgs: [] };
  let source: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      params.args = argv.slice(i + 1);
      break;
    }
    if (a === "--name") {
      if (argv[i + 1] === undefined) throw new UsageError("--name needs a value");
      params.name = argv[++i];
    } else if (a === "-j" || a === "--json") params.json = true;
    else if (a.startsWith("--")) {
      const taken = takeAttachFlag(argv, i, {} as AttachFlags);
      if (taken === 0) throw new UsageError(`unknown option ${a} for ${what} (program flags go after --)`);
      params.attachArgs.push(...argv.slice(i, i + taken));
      i += taken - 1;
    } else if (source === undefined) source = a;
    else throw new UsageError(`unexpected ${JSON.stringify(a)} for ${what} (program flags go after --)`);
  }
  if (source === undefined) throw new UsageError(`${what}: no package given`);
  return { source, params };
}

function oneId(rest: string[], command: string): string {
  if (rest.length !== 1) throw new UsageError(`usage: ecli client ${command} ID`);
  return rest[0];
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;
}

/** The task list as a table. */
export function taskTable(tasks: TaskInfo[]): string {
  const rows = [["ID", "NAME", "STATE", "UPTIME", "EVENTS", "LOST", "DROPPED"], ...tasks.map((t) => [t.id, t.name, t.state, seconds(t.uptime_ms), String(t.events), String(t.lost), String(t.dropped)])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n") + "\n";
}

async function printLog(client: ApiClient, id: string, rest: string[]): Promise<void> {
  let follow = false;
  let cursor = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "-f" || rest[i] === "--follow") follow = true;
    else if (rest[i] === "--cursor" && /^\d+$/.test(rest[i + 1] ?? "")) cursor = Number(rest[++i]);
    else throw new UsageError("usage: ecli client log ID [-f] [--cursor N]");
  }
  if (!follow) {
    for (;;) {
      const page = await client.log(id, cursor);
      if (page.lines.length > 0) await Bun.write(Bun.stdout, page.lines.join("\n") + "\n");
      if (page.lines.length === 0) return;
      cursor = page.next;
    }
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const stream = await client.follow(id, cursor, stop.signal);
    for await (const chunk of stream) await Bun.write(Bun.stdout, chunk);
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Runs the command; returns the exit code. */
export async function clientCommand(argv: string[]): Promise<number> {
  const args = parseClientArgs(argv);
  if (args === "help") {
    process.stdout.write(CLIENT_HELP);
    return 0;
  }
  const text = async (file: string) => new TextDecoder().decode(await readInput(file));
  let token: string | undefined;
  if (args.tokenFile !== undefined) {
    try {
      token = tokenFromFile(await text(args.tokenFile), args.tokenFile);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const client = new ApiClient({ endpoint: args.endpoint, token, ca: args.ca === undefined ? undefined : await text(args.ca) });
  const { command, rest } = args;
  const out = (line: string) => Bun.write(Bun.stdout, `${line}\n`);
  switch (command) {
    case "start": {
      const { source, params } = parseTaskArgs(rest, "start");
      const bytes = await packageUpload(source);
      params.name ??= moduleTaskName(source, bytes);
      const task = await client.start(bytes, params);
      await out(task.id);
      // A module that ended at once (a failed load, an exit code) failed its task already.
      if (task.state === "failed") throw new InputError(`task ${task.id} failed: ${task.error ?? "unknown error"}`);
      return 0;
    }
    case "list": {
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== "-j")) throw new UsageError("usage: ecli client list [-j]");
      const tasks = await client.list();
      await Bun.write(Bun.stdout, rest[0] === "-j" ? tasks.map((t) => JSON.stringify(t)).join("\n") + (tasks.length ? "\n" : "") : taskTable(tasks));
      return 0;
    }
    case "stop":
    case "rm":
    case "pause":
    case "resume": {
      const id = oneId(rest, command);
      const task = await (command === "stop" ? client.stop(id) : command === "rm" ? client.remove(id) : command === "pause" ? client.pause(id) : client.resume(id));
      await out(`${task.id} ${command === "rm" ? "removed" : task.state}`);
      return 0;
    }
    case "update": {
      const [id, ...more] = rest;
      if (id === undefined) throw new UsageError("usage: ecli client update ID <package> [attach options] [-- program flags]");
      const { source, params } = parseTaskArgs(more, "update");
      if (params.name !== undefined || params.json !== undefined) throw new UsageError("update keeps the task's name and output mode: --name and -j do not apply");
      const task = await client.update(id, await packageUpload(source), params);
      if (task.state === "failed") throw new InputError(`task ${task.id} failed after the update: ${task.error ?? "unknown error"}`);
      const what = task.kind === "wasm" ? "module started" : "package attached";
      await out(`${task.id} updated: new ${what} ${task.last_update?.attached_ms} ms after the request`);
      return 0;
    }
    case "log": {
      const [id, ...more] = rest;
      if (id === undefined) throw new UsageError("usage: ecli client log ID [-f] [--cursor N]");
      await printLog(client, id, more);
      return 0;
    }
    default:
      throw new UsageError(`unknown client command ${JSON.stringify(command)} (${CLIENT_USAGE})`);
  }
}
