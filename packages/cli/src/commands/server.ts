/**
 * `ecli server [--listen ADDR:PORT] [--token-file F] [--tls-cert F --tls-key F] [limits]`:
 * keeps many packages running, managed over an HTTP JSON API (docs/api.md), until
 * SIGINT or SIGTERM, which stop every task and leave nothing in the kernel.
 */
import { UsageError } from "../cli-error.ts";
import { describeError } from "../describe-error.ts";
import { InputError, readInput } from "../read-input.ts";
import { tokenFromFile } from "../server/auth.ts";
import { DEFAULT_LISTEN, parseListen } from "../server/listen-address.ts";
import { startServer, type ServerOptions } from "../server/server.ts";

const SERVER_USAGE = "usage: ecli server [--listen HOST:PORT] [--token-file FILE] [--tls-cert FILE --tls-key FILE] [--max-body BYTES] [--max-tasks N] [--log-lines N] [--stall-limit SECONDS]";

const SERVER_HELP = `${SERVER_USAGE}

Runs packages sent over HTTP (ecli client, or the API in docs/api.md) until Ctrl-C or SIGTERM.

options:
  --listen HOST:PORT    where to listen (default ${DEFAULT_LISTEN}; anything but loopback needs --token-file)
  --token-file FILE     every request must carry "Authorization: Bearer <the file's one line>"
  --tls-cert FILE       serve HTTPS with this PEM certificate (with --tls-key)
  --tls-key FILE        the certificate's PEM private key
  --max-body BYTES      largest request body accepted (default 16777216)
  --max-tasks N         running or paused tasks at once (default 64)
  --log-lines N         output lines each task keeps; older lines are dropped and counted (default 10000)
  --stall-limit SECONDS kill the server if its event loop does not turn for SECONDS (a WebAssembly
                        module looping without end cannot be interrupted otherwise; default: off)
  -h, --help            print this help
`;

interface ServerArgs {
  listen: string;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxBody: number;
  maxTasks: number;
  logLines: number;
  stallLimitSeconds?: number;
}

function positive(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes a positive integer, not ${JSON.stringify(text ?? "")}`);
  return n;
}

/** Parses the command line of `ecli server`. */
export function parseServerArgs(argv: string[]): ServerArgs | "help" {
  const args: ServerArgs = { listen: DEFAULT_LISTEN, maxBody: 16 << 20, maxTasks: 64, logLines: 10000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)] : [argv[i], undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value (${SERVER_USAGE})`);
      return v;
    };
    switch (flag) {
      case "-h": case "--help": return "help";
      case "--listen": args.listen = value(); break;
      case "--token-file": args.tokenFile = value(); break;
      case "--tls-cert": args.tlsCert = value(); break;
      case "--tls-key": args.tlsKey = value(); break;
      case "--max-body": args.maxBody = positive(flag, value()); break;
      case "--max-tasks": args.maxTasks = positive(flag, value()); break;
      case "--log-lines": args.logLines = positive(flag, value()); break;
      case "--stall-limit": args.stallLimitSeconds = positive(flag, value()); break;
      default: throw new UsageError(`unknown option ${argv[i]} (${SERVER_USAGE})`);
    }
  }
  if ((args.tlsCert === undefined) !== (args.tlsKey === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
  return args;
}

const readText = async (file: string) => new TextDecoder().decode(await readInput(file));

/** Runs the command until SIGINT/SIGTERM; returns the exit code. */
export async function serverCommand(argv: string[]): Promise<number> {
  const args = parseServerArgs(argv);
  if (args === "help") {
    process.stdout.write(SERVER_HELP);
    return 0;
  }
  const opts: ServerOptions = {
    listen: parseListen(args.listen),
    maxBodyBytes: args.maxBody,
    limits: { maxTasks: args.maxTasks, logLines: args.logLines, keepEnded: 64 },
    stallLimitMs: args.stallLimitSeconds === undefined ? undefined : args.stallLimitSeconds * 1000,
  };
  if (args.tokenFile !== undefined) {
    try {
      opts.token = tokenFromFile(await readText(args.tokenFile), args.tokenFile);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (args.tlsCert !== undefined && args.tlsKey !== undefined) opts.tls = { cert: await readText(args.tlsCert), key: await readText(args.tlsKey) };
  let server;
  try {
    server = startServer(opts);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new InputError(`cannot listen on ${args.listen}: ${(err as Error).message.split("\n")[0]}`);
  }
  process.stderr.write(`ecli: server listening on ${server.url}\n`);
  // A safety net: each task has its own error boundary, but a stray asynchronous error
  // must not end the server and every other task with it.
  const onStray = (err: unknown) => process.stderr.write(`ecli: server: ${describeError(err)}\n`);
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
  // A pending timer keeps Bun's event loop asleep; waiting on signal handlers alone spins a core.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(keepAlive);
  await server.stop();
  process.stderr.write("ecli: server stopped, every task detached\n");
  return 0;
}
