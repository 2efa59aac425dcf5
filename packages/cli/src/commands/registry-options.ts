/**
 * The registry options `ecli push` and `ecli pull` share: credentials, plain HTTP and the
 * Docker config file, and the turning of registry errors into ecli's one-line errors.
 */
import { OciError, type OciOptions } from "@eunomia/loader/oci";
import { UsageError } from "../cli-error.ts";
import { InputError } from "../read-input.ts";

export const REGISTRY_OPTIONS_USAGE = `  -u, --username USER     registry user (with --password or --password-stdin)
  -p, --password PASS     registry password (visible to other users in the process list: prefer --password-stdin)
  --password-stdin        read the password from standard input
  --insecure, --plain-http
                          plain HTTP to a registry that is not on this machine
                          (localhost, 127.x and [::1] always use plain HTTP)
  --docker-config FILE    Docker config to take credentials from
                          (default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json)
`;

/** Registry options as parsed, before --password-stdin is read. */
export interface RegistryFlags extends OciOptions { passwordStdin?: boolean }

/**
 * Takes the registry option at `argv[i]` into `flags`; returns how many arguments it
 * used (0 when `argv[i]` is not a registry option).
 * @throws UsageError when its value is missing.
 */
export function takeRegistryFlag(argv: string[], i: number, flags: RegistryFlags): number {
  const a = argv[i];
  const eq = a.indexOf("=");
  const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
  const inline = name !== a ? a.slice(eq + 1) : undefined;
  const value = (): string => {
    const v = inline ?? argv[i + 1];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  const used = inline === undefined ? 2 : 1;
  switch (name) {
    case "-u":
    case "--username":
      flags.username = value();
      return used;
    case "-p":
    case "--password":
      flags.password = value();
      return used;
    case "--password-stdin":
      flags.passwordStdin = true;
      return 1;
    case "--insecure":
    case "--plain-http":
      flags.insecure = true;
      return 1;
    case "--docker-config":
      flags.dockerConfig = value();
      return used;
  }
  return 0;
}

/**
 * The options for the loader: --password-stdin read, the pair checked.
 * @throws UsageError when only one of username and password is given.
 */
export async function registryOptions(flags: RegistryFlags, readStdin = () => Bun.stdin.text()): Promise<OciOptions> {
  const { passwordStdin, ...opts } = flags;
  if (passwordStdin) {
    if (opts.password !== undefined) throw new UsageError("give --password or --password-stdin, not both");
    opts.password = (await readStdin()).replace(/\r?\n$/, "");
  }
  if ((opts.username === undefined) !== (opts.password === undefined)) {
    throw new UsageError("give both --username and a password (--password or --password-stdin), or neither");
  }
  return opts;
}

/** Runs `work`, turning registry errors into ecli's one-line input errors. */
export async function withRegistryErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof OciError) throw new InputError(err.message, { cause: err });
    throw err;
  }
}
