/**
 * Registry credentials from Docker's config file (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), as `docker login` writes it: an `auths` entry per registry
 * whose `auth` is base64 of "user:password", or a credential helper (`credHelpers`,
 * `credsStore`) run as `docker-credential-<name> get`.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { OciError } from "./oci-error.ts";
import { DOCKER_HUB } from "./reference.ts";

export interface Credentials { username: string; password: string }

interface AuthEntry { auth?: string; username?: string; password?: string }
interface DockerConfig { auths?: Record<string, AuthEntry>; credHelpers?: Record<string, string>; credsStore?: string }

// Docker Hub's entry is keyed by its old index URL.
const DOCKER_HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];

/** The config file to read: `explicit`, else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.DOCKER_CONFIG) return join(process.env.DOCKER_CONFIG, "config.json");
  return join(process.env.HOME || homedir(), ".docker", "config.json");
}

/** A config key reduced to `host[:port]` ("https://index.docker.io/v1/" -> "index.docker.io"). */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

function decodeAuth(auth: string, where: string): Credentials {
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) throw new OciError(`${where}: "auth" is not base64 of "user:password"`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function fromHelper(helper: string, registry: string): Credentials | undefined {
  const serverUrl = registry === DOCKER_HUB ? DOCKER_HUB_KEYS[0] : registry;
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync([`docker-credential-${helper}`, "get"], { stdin: Buffer.from(serverUrl), stdout: "pipe", stderr: "pipe" });
  } catch {
    return undefined; // the helper is not installed: no credentials
  }
  if (result.exitCode !== 0) return undefined;
  try {
    const { Username, Secret } = JSON.parse(result.stdout?.toString() ?? "") as { Username?: string; Secret?: string };
    return typeof Username === "string" && typeof Secret === "string" ? { username: Username, password: Secret } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds the credentials of `registry` (`host[:port]`) in a Docker config, or undefined.
 * A missing file means no credentials; a malformed one is an error.
 * @throws OciError when the file is not JSON or an `auth` value is malformed.
 * @example readDockerCredentials("127.0.0.1:5000") // { username: "ci", password: "..." }
 */
export function readDockerCredentials(registry: string, configPath?: string): Credentials | undefined {
  const path = dockerConfigPath(configPath);
  if (!existsSync(path)) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(path, "utf8")) as DockerConfig;
  } catch (err) {
    throw new OciError(`cannot read Docker config ${path}: ${(err as Error).message.split("\n")[0]}`, { cause: err });
  }
  if (config === null || typeof config !== "object") throw new OciError(`Docker config ${path} is not a JSON object`);
  const wanted = registry === DOCKER_HUB ? DOCKER_HUB_KEYS : [registry.toLowerCase()];
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => wanted.includes(keyHost(key)))?.[1];
  if (typeof helper === "string") return fromHelper(helper, registry);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!wanted.includes(keyHost(key)) || entry === null || typeof entry !== "object") continue;
    if (typeof entry.auth === "string" && entry.auth !== "") return decodeAuth(entry.auth, `Docker config ${path}, entry ${key}`);
    if (typeof entry.username === "string" && typeof entry.password === "string") return { username: entry.username, password: entry.password };
  }
  return typeof config.credsStore === "string" && config.credsStore !== "" ? fromHelper(config.credsStore, registry) : undefined;
}
