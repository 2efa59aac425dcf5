/**
 * End to end through a real OCI registry (Debian's docker-registry on a loopback port):
 * `ecli push` stores examples/bootstrap in both package forms as an OCI artifact,
 * `ecli pull` brings back the very same bytes, `ecli run <reference>` loads it and its
 * events come back decoded exactly; a WebAssembly module (examples/wasm-bootstrap) makes
 * the same trip as a wasm layer and runs from the registry with its exact output; a tampered blob, a missing tag, an unreachable
 * registry, a bad reference and refused credentials each end in one line and exit 1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecli, ROOT, RunningEcli } from "./helpers/ecli.ts";
import { BOOTSTRAP_HEADER, BOOTSTRAP_SOURCE, child, type BootstrapEvent } from "./helpers/bootstrap.ts";
import { kernelObjects, leaksAfterRelease, type KernelObjects } from "./helpers/kernel.ts";
import { Registry } from "./helpers/registry.ts";

const sha256 = (bytes: Uint8Array) => `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;

let out: string;
let jsonBytes: Uint8Array<ArrayBuffer>;
let msgpackBytes: Uint8Array<ArrayBuffer>;
let registry: Registry;
let before: KernelObjects;

beforeAll(async () => {
  before = await kernelObjects();
  out = mkdtempSync(join(tmpdir(), "ecli-oci-"));
  const built = await ecli(["build", BOOTSTRAP_SOURCE, BOOTSTRAP_HEADER, "-o", out]);
  expect(built.code).toBe(0);
  jsonBytes = new Uint8Array(readFileSync(join(out, "package.json")));
  msgpackBytes = new Uint8Array(readFileSync(join(out, "package.msgpack")));
  registry = await Registry.start();
});

afterAll(async () => {
  await registry?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Fetches what the registry stores for `repo:tag`: the manifest (parsed) and its digest header. */
async function storedManifest(reg: Registry, repo: string, tag: string) {
  const response = await fetch(`http://${reg.host}/v2/${repo}/manifests/${tag}`, { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } });
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { manifest: JSON.parse(new TextDecoder().decode(bytes)), digest: sha256(bytes), header: response.headers.get("docker-content-digest") };
}

/** The single error line of a failed ecli run, after checking it failed with exit 1. */
function oneLineFailure(done: { code: number; stdout: string; stderr: string }): string {
  expect(done.code).toBe(1);
  expect(done.stdout).toBe("");
  const lines = done.stderr.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe("ecli push and pull through docker-registry", () => {
  test("push stores an OCI artifact manifest with our media types and the package's annotations", async () => {
    const ref = `${registry.host}/eunomia/bootstrap:v1`;
    const pushed = await ecli(["push", join(out, "package.json"), ref]);
    expect(pushed.stderr).toBe(`ecli: pushed ${ref} (json, ${jsonBytes.length} bytes)\n`);
    expect(pushed.code).toBe(0);
    const stored = await storedManifest(registry, "eunomia/bootstrap", "v1");
    expect(pushed.stdout).toBe(`${registry.host}/eunomia/bootstrap@${stored.digest}\n`);
    expect(stored.header).toBe(stored.digest);
    const { config, ...rest } = stored.manifest;
    expect(rest).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.eunomia.package.v1",
      layers: [{
        mediaType: "application/vnd.eunomia.package.layer.v1+json",
        digest: sha256(jsonBytes),
        size: jsonBytes.length,
        annotations: { "org.opencontainers.image.title": "package.json" },
      }],
      annotations: {
        "org.opencontainers.image.title": "bootstrap_bpf",
        "org.opencontainers.image.version": "0.1",
        "org.opencontainers.image.description": "Trace process start and exit.",
      },
    });
    expect(config.mediaType).toBe("application/vnd.eunomia.package.config.v1+json");
    const configBlob = await fetch(`http://${registry.host}/v2/eunomia/bootstrap/blobs/${config.digest}`).then((r) => r.json());
    expect(configBlob).toEqual({ form: "json", name: "bootstrap_bpf", version: "0.1", description: "Trace process start and exit." });
  });

  test("pull by tag and by digest gives back the same bytes, to a file or stdout", async () => {
    const file = join(out, "pulled.json");
    const byTag = await ecli(["pull", `${registry.host}/eunomia/bootstrap:v1`, "-o", file]);
    expect(byTag.code).toBe(0);
    expect(new Uint8Array(readFileSync(file))).toEqual(jsonBytes);
    const { digest } = await storedManifest(registry, "eunomia/bootstrap", "v1");
    expect(byTag.stderr).toBe(`ecli: pulled ${registry.host}/eunomia/bootstrap:v1@${digest} to ${file} (json, ${jsonBytes.length} bytes)\n`);
    const byDigest = await ecli(["pull", `${registry.host}/eunomia/bootstrap@${digest}`]);
    expect(byDigest.code).toBe(0);
    expect(byDigest.stdout).toBe(new TextDecoder().decode(jsonBytes));
  });

  test("the MessagePack form travels as its own layer type, byte for byte; pushing again uploads nothing new", async () => {
    const ref = `${registry.host}/eunomia/bootstrap:msgpack`;
    expect((await ecli(["push", join(out, "package.msgpack"), ref])).code).toBe(0);
    const stored = await storedManifest(registry, "eunomia/bootstrap", "msgpack");
    expect(stored.manifest.layers[0].mediaType).toBe("application/vnd.eunomia.package.layer.v1+msgpack");
    expect(stored.manifest.layers[0].digest).toBe(sha256(msgpackBytes));
    const file = join(out, "pulled.msgpack");
    expect((await ecli(["pull", ref, "-o", file])).code).toBe(0);
    expect(new Uint8Array(readFileSync(file))).toEqual(msgpackBytes);
    // Same content, same manifest digest: the push is idempotent.
    const again = await ecli(["push", join(out, "package.msgpack"), ref]);
    expect(again.stdout).toBe(`${registry.host}/eunomia/bootstrap@${stored.digest}\n`);
  });
});

describe("ecli run <reference>", () => {
  async function expectBootstrapEvents(ref: string): Promise<void> {
    const run = await RunningEcli.start(["-j", "--duration", "2", ref, "--target-pid", String(process.pid)]);
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "exit 7"]);
    const code = await run.proc.exited;
    const done = await run.stop();
    expect(code).toBe(0);
    const events = done.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as BootstrapEvent);
    expect(events.find((e) => e.pid === truePid && !e.exit_event)).toEqual({
      pid: truePid, ppid: process.pid, exit_code: 0, duration_ns: 0, comm: "true", filename: "/usr/bin/true", exit_event: false,
    });
    expect(events.find((e) => e.pid === shPid && e.exit_event)).toMatchObject({ pid: shPid, ppid: process.pid, exit_code: 7, comm: "sh", exit_event: true });
    expect(events.every((e) => e.pid === truePid || e.pid === shPid)).toBe(true);
  }

  test("runs the JSON form pulled by tag and decodes its events exactly", async () => {
    await expectBootstrapEvents(`${registry.host}/eunomia/bootstrap:v1`);
  });

  test("runs the MessagePack form pulled by digest", async () => {
    const { digest } = await storedManifest(registry, "eunomia/bootstrap", "msgpack");
    await expectBootstrapEvents(`${registry.host}/eunomia/bootstrap@${digest}`);
  });

  test("a missing tag is one line and exit 1", async () => {
    const line = oneLineFailure(await ecli(["run", `${registry.host}/eunomia/bootstrap:nope`]));
    expect(line).toBe(`ecli: ${registry.host}/eunomia/bootstrap:nope not found in registry ${registry.host} (HTTP 404)`);
  });
});

describe("a WebAssembly module (examples/wasm-bootstrap) through the registry", () => {
  let wasmPath: string;
  let wasmBytes: Uint8Array<ArrayBuffer>;
  const ref = () => `${registry.host}/eunomia/wasm-bootstrap:v1`;

  beforeAll(async () => {
    const dir = join(ROOT, "examples/wasm-bootstrap");
    const built = await ecli(["build", "--wasm", join(dir, "app.c"), join(dir, "bootstrap.bpf.c"), join(dir, "bootstrap.bpf.h"), "-o", join(out, "wasm")]);
    expect(built.code).toBe(0);
    wasmPath = join(out, "wasm/app.wasm");
    wasmBytes = new Uint8Array(readFileSync(wasmPath));
  }, 120_000);

  test("push stores it as wasm-to-oci does: wasm config and layer media types, named after the file", async () => {
    const pushed = await ecli(["push", wasmPath, ref()]);
    expect(pushed.stderr).toBe(`ecli: pushed ${ref()} (wasm, ${wasmBytes.length} bytes)\n`);
    expect(pushed.code).toBe(0);
    const stored = await storedManifest(registry, "eunomia/wasm-bootstrap", "v1");
    expect(pushed.stdout).toBe(`${registry.host}/eunomia/wasm-bootstrap@${stored.digest}\n`);
    const configBytes = new TextEncoder().encode('{"form":"wasm","name":"app.wasm"}');
    expect(stored.manifest).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.wasm.config.v1+json", digest: sha256(configBytes), size: configBytes.length },
      layers: [{
        mediaType: "application/vnd.wasm.content.layer.v1+wasm",
        digest: sha256(wasmBytes),
        size: wasmBytes.length,
        annotations: { "org.opencontainers.image.title": "app.wasm" },
      }],
      annotations: { "org.opencontainers.image.title": "app.wasm" },
    });
  });

  test("pull gives back the very same module", async () => {
    const file = join(out, "pulled.wasm");
    const pulled = await ecli(["pull", ref(), "-o", file]);
    const { digest } = await storedManifest(registry, "eunomia/wasm-bootstrap", "v1");
    expect(pulled.stderr).toBe(`ecli: pulled ${ref()}@${digest} to ${file} (wasm, ${wasmBytes.length} bytes)\n`);
    expect(pulled.code).toBe(0);
    expect(new Uint8Array(readFileSync(file))).toEqual(wasmBytes);
  });

  test("ecli run <reference> runs it: its exact lines for known processes, exit 0", async () => {
    const { digest } = await storedManifest(registry, "eunomia/wasm-bootstrap", "v1");
    const run = await RunningEcli.start(["--duration", "2", `${registry.host}/eunomia/wasm-bootstrap@${digest}`, "-p", String(process.pid)]);
    const truePid = await child(["/usr/bin/true"]);
    const shPid = await child(["/bin/sh", "-c", "exit 7"]);
    const code = await run.proc.exited;
    const done = await run.stop();
    // -v (RunningEcli's) says when the module attached its two programs; nothing else is on stderr.
    expect(done.stderr.split("\n").filter(Boolean).map((l) => l.replace(/ [\d.]+ ms after start$/, ""))).toEqual([
      "ecli: wasm: 1 programs attached (wasm_exec)", "ecli: wasm: 2 programs attached (wasm_exit)",
    ]);
    expect(code).toBe(0);
    const lines = done.stdout.split("\n").filter(Boolean);
    const col = (v: string | number, n: number) => String(v).padEnd(n);
    expect(lines[0]).toBe("TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE");
    const rows = lines.slice(1).map((l) => {
      expect(l.slice(0, 9)).toMatch(/^\d\d:\d\d:\d\d $/);
      return l.slice(9);
    });
    expect(rows).toContain(`EXEC  ${col("true", 16)} ${col(truePid, 7)} ${col(process.pid, 7)} /usr/bin/true`);
    expect(rows.find((r) => r.startsWith(`EXIT  ${col("sh", 16)} ${col(shPid, 7)} ${col(process.pid, 7)} [7]`))).toBeDefined();
  });

  test("bytes with the wasm magic that are not a valid module are refused before any upload", async () => {
    const bad = join(out, "bad.wasm");
    writeFileSync(bad, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x10]));
    const line = oneLineFailure(await ecli(["push", bad, `${registry.host}/eunomia/bad-wasm:v1`]));
    expect(line).toBe("ecli: package: the bytes start with \\0asm but are not a valid WebAssembly module");
    expect((await fetch(`http://${registry.host}/v2/eunomia/bad-wasm/tags/list`)).status).toBe(404);
  });
});

describe("registry failures are one line and exit 1", () => {
  test("a blob tampered with in the registry's storage fails the digest check", async () => {
    // Its own package bytes (re-indented JSON), so the blob the other tests pull stays intact.
    const indented = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(jsonBytes)), null, 1));
    const source = join(out, "indented.json");
    writeFileSync(source, indented);
    const ref = `${registry.host}/eunomia/tampered:v1`;
    expect((await ecli(["push", source, ref])).code).toBe(0);
    const blob = registry.blobPath(sha256(indented));
    const stored = readFileSync(blob);
    expect(new Uint8Array(stored)).toEqual(indented);
    stored[100] ^= 0x01; // same size, one bit off
    writeFileSync(blob, stored);
    const line = oneLineFailure(await ecli(["pull", ref, "-o", join(out, "tampered.json")]));
    expect(line).toMatch(new RegExp(`^ecli: digest mismatch for the package of ${ref.replace(/\./g, "\\.")}: expected ${sha256(indented)}, got sha256:[0-9a-f]{64} \\(the registry sent corrupted or tampered content\\)$`));
    expect(oneLineFailure(await ecli(["run", ref]))).toStartWith("ecli: digest mismatch for the package of");
  });

  test("a manifest tampered with fails the check against the registry's digest; an unknown digest is not found", async () => {
    // Its own manifest (a distinct annotation), so the other tests' manifests stay intact.
    const ref = `${registry.host}/eunomia/tampered-manifest:v1`;
    const pushed = await ecli(["push", "-a", "org.opencontainers.image.description=tamper-me", join(out, "package.json"), ref]);
    expect(pushed.code).toBe(0);
    const digest = pushed.stdout.trim().split("@")[1];
    const blob = registry.blobPath(digest);
    writeFileSync(blob, readFileSync(blob, "utf8").replace("tamper-me", "tamper-mE"));
    const line = oneLineFailure(await ecli(["pull", ref]));
    expect(line).toMatch(new RegExp(`^ecli: digest mismatch for the manifest of ${ref.replace(/\./g, "\\.")}: expected ${digest}, got sha256:[0-9a-f]{64} `));
    const unknown = `sha256:${"0".repeat(64)}`;
    expect(oneLineFailure(await ecli(["pull", `${registry.host}/eunomia/bootstrap@${unknown}`])))
      .toBe(`ecli: ${registry.host}/eunomia/bootstrap@${unknown} not found in registry ${registry.host} (HTTP 404)`);
  });

  test("an unreachable registry, a bad reference, a remote registry over HTTPS only", async () => {
    const closed = await Registry.start();
    const host = closed.host;
    await closed.stop();
    expect(oneLineFailure(await ecli(["pull", `${host}/eunomia/bootstrap:v1`]))).toBe(`ecli: cannot reach registry ${host} at http://${host}: connection refused`);
    expect(oneLineFailure(await ecli(["pull", "localhost:5000/Bad:v1"]))).toStartWith('ecli: bad reference "localhost:5000/Bad:v1": repository component "Bad"');
    expect(oneLineFailure(await ecli(["push", join(out, "package.json"), `${registry.host}/x:bad tag`]))).toStartWith(`ecli: bad reference "${registry.host}/x:bad tag": tag "bad tag"`);
    // Not loopback: HTTPS (here the name does not even resolve), unless --insecure says plain HTTP.
    expect(oneLineFailure(await ecli(["pull", "registry.invalid:5000/x:v1"]))).toStartWith("ecli: cannot reach registry registry.invalid:5000 at https://registry.invalid:5000: ");
    expect(oneLineFailure(await ecli(["pull", "--insecure", "registry.invalid:5000/x:v1"]))).toStartWith("ecli: cannot reach registry registry.invalid:5000 (plain HTTP) at http://registry.invalid:5000: ");
    // A missing file whose name reads like a reference: the message says both.
    expect(oneLineFailure(await ecli(["run", "missing.invalid/package.json"])))
      .toStartWith("ecli: cannot read missing.invalid/package.json: no such file, and cannot reach registry missing.invalid at https://missing.invalid: ");
  });

  test("something that is not a package is refused before any upload", async () => {
    const notPackage = join(out, "not-a-package.json");
    writeFileSync(notPackage, '{"hello": 1}');
    const line = oneLineFailure(await ecli(["push", notPackage, `${registry.host}/eunomia/junk:v1`]));
    expect(line).toStartWith("ecli: ");
    const listed = await fetch(`http://${registry.host}/v2/eunomia/junk/tags/list`);
    expect(listed.status).toBe(404);
  });
});

describe("a registry with htpasswd users", () => {
  let secured: Registry;
  let dockerConfig: string;
  beforeAll(async () => {
    secured = await Registry.start({ users: { ci: "s3cret pass" } });
    dockerConfig = join(out, "docker");
    mkdirSync(dockerConfig);
    writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from("ci:s3cret pass").toString("base64") } } }));
  });
  afterAll(async () => secured?.stop());

  test("push without credentials or with a wrong password: refused in one line", async () => {
    const ref = `${secured.host}/eunomia/bootstrap:v1`;
    const none = oneLineFailure(await ecli(["push", "--docker-config", join(out, "absent.json"), join(out, "package.json"), ref]));
    expect(none).toBe(`ecli: registry ${secured.host} refused access to eunomia/bootstrap: it needs credentials (--username and --password, or docker login)`);
    const wrong = oneLineFailure(await ecli(["push", "-u", "ci", "-p", "wrong", join(out, "package.json"), ref]));
    expect(wrong).toBe(`ecli: registry ${secured.host} refused access to eunomia/bootstrap: the credentials were rejected`);
  });

  test("push with --password-stdin, pull and run with the Docker config's credentials", async () => {
    const ref = `${secured.host}/eunomia/bootstrap:v1`;
    const pushed = await ecli(["push", "-u", "ci", "--password-stdin", join(out, "package.json"), ref], { stdin: new TextEncoder().encode("s3cret pass\n") });
    expect(pushed.stderr).toBe(`ecli: pushed ${ref} (json, ${jsonBytes.length} bytes)\n`);
    expect(pushed.code).toBe(0);
    const file = join(out, "secured.json");
    expect((await ecli(["pull", "--docker-config", join(dockerConfig, "config.json"), ref, "-o", file])).code).toBe(0);
    expect(new Uint8Array(readFileSync(file))).toEqual(jsonBytes);
    // ecli run has no credential flags: it reads $DOCKER_CONFIG/config.json.
    const help = await ecli(["run", ref, "-h"], { prefix: ["env", `DOCKER_CONFIG=${dockerConfig}`] });
    expect(help.stderr).toBe("");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--target-pid <int>");
  });
});

test("leaves no program, map or link of ours in the kernel", async () => {
  expect(await leaksAfterRelease(before)).toEqual({ progs: [], maps: [], links: [] });
});
