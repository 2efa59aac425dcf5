/**
 * `ecli exporter -c config.yaml [--listen ADDR:PORT] [--check] [--token T]`: runs the
 * config's programs and serves their metrics (Prometheus text on /metrics, /healthz, the
 * program API), pushing them over OTLP too when the config has `otlp:`. `--check` only
 * validates the config (and the packages it names) and exits.
 */
import { UsageError } from "../cli-error.ts";
import { InputError } from "../read-input.ts";

const EXPORTER_USAGE = "usage: ecli exporter -c CONFIG.yaml [--listen ADDR:PORT] [--check] [--token TOKEN]";
const DEFAULT_LISTEN = "127.0.0.1:8526";

export interface ExporterOptions {
  config: string;
  hostname: string;
  port: number;
  check: boolean;
  token?: string;
}

/** Splits ADDR:PORT ("[::1]:9000" for IPv6). Throws {@link UsageError}. */
export function parseListen(text: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen takes ADDR:PORT (e.g. ${DEFAULT_LISTEN}), not ${JSON.stringify(text)}`);
  return { hostname: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}

/** Parses the command line of `ecli exporter`. Throws {@link UsageError}. */
export function parseExporterArgs(argv: string[]): ExporterOptions | "help" {
  let config: string | undefined;
  let listen = DEFAULT_LISTEN;
  let check = false;
  let token: string | undefined;
  const value = (flag: string, v: string | undefined) => {
    if (v === undefined || v === "") throw new UsageError(`${flag} needs a value (${EXPORTER_USAGE})`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const next = () => value(flag, inline ?? argv[++i]);
    if (a === "-h" || a === "--help") return "help";
    else if (flag === "-c" || flag === "--config") config = next();
    else if (flag === "--listen" || flag === "-l") listen = next();
    else if (flag === "--token") token = next();
    else if (a === "--check") check = true;
    else throw new UsageError(`${a.startsWith("-") ? "unknown option" : "unexpected argument"} ${a} (${EXPORTER_USAGE})`);
  }
  if (config === undefined) throw new UsageError(`no config given (${EXPORTER_USAGE})`);
  return { config, ...parseListen(listen), check, ...(token === undefined ? {} : { token }) };
}

const HELP = `${EXPORTER_USAGE}

Runs the programs of a YAML config and serves their metrics: Prometheus text on
/metrics, /healthz, and the program API (POST /start, POST /stop, GET /list).
With \`otlp:\` in the config, the same metrics are pushed to an OTLP/HTTP endpoint.

options:
  -c, --config FILE      the config (the eunomia-exporter format; see docs/exporter.md)
  -l, --listen ADDR:PORT where to serve (default ${DEFAULT_LISTEN})
  --check                validate the config and the packages it names, then exit
  --token TOKEN          require "Authorization: Bearer TOKEN" on the program API
                         (needed to serve it on a non-loopback address)
  -h, --help             print this help
`;

async function readConfigText(path: string): Promise<string> {
  try {
    return await Bun.file(path).text();
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new UsageError(`cannot read config ${path} (${code})`);
  }
}

/** Resolves on SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

// Errors about what the user gave (config, flags, registry): their message is the whole story.
const USER_ERRORS = new Set(["ConfigError", "GlobalValueError", "OciError"]);

/** Runs the command; returns the exit code. */
export async function exporterCommand(argv: string[]): Promise<number> {
  try {
    return await exporter(argv);
  } catch (err) {
    if (err instanceof Error && USER_ERRORS.has(err.name)) throw new InputError(err.message, { cause: err });
    throw err;
  }
}

async function exporter(argv: string[]): Promise<number> {
  const opts = parseExporterArgs(argv);
  if (opts === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  const { readConfig, checkAgainstPackage, openSource, Exporter, serveExporter, isLoopbackHost } = await import("@eunomia/exporter");
  const config = readConfig(await readConfigText(opts.config), opts.config);
  if (opts.check) {
    for (const program of config.programs) {
      if (program.source.kind === "oci") continue; // not pulled just to check
      const pkg = await openSource(program.source);
      checkAgainstPackage(program, pkg);
      for (const [name, value] of Object.entries(program.flags)) pkg.setGlobal(name, value);
    }
    const metrics = config.programs.reduce((n, p) => n + p.counters.length + p.histograms.length, 0);
    process.stdout.write(`${opts.config}: ok (${config.programs.length} programs, ${metrics} metrics)\n`);
    return 0;
  }
  if (!isLoopbackHost(opts.hostname) && opts.token === undefined) {
    process.stderr.write(`ecli exporter: serving on ${opts.hostname} without --token: the program API is disabled there\n`);
  }
  const exporter = new Exporter();
  await exporter.startAll(config);
  let server: ReturnType<typeof serveExporter>;
  try {
    server = serveExporter(exporter, { hostname: opts.hostname, port: opts.port, token: opts.token, onError: (line) => process.stderr.write(`ecli exporter: ${line}\n`) });
  } catch (err) {
    await exporter.close();
    throw new InputError(`cannot listen on ${opts.hostname}:${opts.port} (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  const push = config.otlp ? new (await import("@eunomia/exporter/otlp")).OtlpPush(exporter.registry, config.otlp) : undefined;
  process.stderr.write(`ecli exporter: serving http://${server.hostname}:${server.port}/metrics (${config.programs.length} programs)\n`);
  await untilStopped();
  try {
    await push?.stop().catch((err: unknown) => process.stderr.write(`ecli exporter: last OTLP push failed: ${(err as Error).message}\n`));
  } finally {
    await server.stop(true);
    await exporter.close();
  }
  return 0;
}
