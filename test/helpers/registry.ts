/**
 * A real OCI registry for end-to-end tests: Debian's `docker-registry` (the CNCF
 * distribution registry), started on a free loopback port with its own storage folder
 * and, optionally, htpasswd (bcrypt) users; stopped by pid.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const REGISTRY_BIN = "/usr/bin/docker-registry";
const START_TIMEOUT_MS = 10_000;

/** A port the kernel just handed out on 127.0.0.1 (free unless someone races us for it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RegistryOptions { users?: Record<string, string> }

export class Registry {
  private constructor(
    private readonly proc: Subprocess<"ignore", "pipe", "pipe">,
    /** `127.0.0.1:<port>`: the host part of references. */
    readonly host: string,
    /** The folder holding the config, the htpasswd file and the storage. */
    readonly dir: string,
  ) {}

  /** Starts a registry and waits until it answers `GET /v2/`. */
  static async start(opts: RegistryOptions = {}): Promise<Registry> {
    const dir = mkdtempSync(join(tmpdir(), "ecli-registry-"));
    const port = await freePort();
    let auth = "";
    if (opts.users) {
      const lines = await Promise.all(Object.entries(opts.users).map(async ([user, password]) =>
        `${user}:${await Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 })}`));
      writeFileSync(join(dir, "htpasswd"), lines.join("\n") + "\n");
      auth = `auth:\n  htpasswd:\n    realm: ecli-test\n    path: ${join(dir, "htpasswd")}\n`;
    }
    writeFileSync(join(dir, "config.yml"), `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, "storage")}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: ecli-test-secret
${auth}`);
    const proc = Bun.spawn([REGISTRY_BIN, "serve", join(dir, "config.yml")], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const registry = new Registry(proc, `127.0.0.1:${port}`, dir);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const status = await fetch(`http://${registry.host}/v2/`).then((r) => r.status, () => 0);
      if (status === 200 || status === 401) return registry;
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        const stderr = await new Response(proc.stderr).text();
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${REGISTRY_BIN} did not start on ${registry.host}: ${stderr.trim().split("\n").pop()}`);
      }
      await Bun.sleep(50);
    }
  }

  /** Where the registry keeps the blob `digest` (`sha256:<hex>`) on disk. */
  blobPath(digest: string): string {
    const hex = digest.slice("sha256:".length);
    return join(this.dir, "storage/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  }

  /** Stops the registry (by its pid) and removes its folder. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    await this.proc.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
