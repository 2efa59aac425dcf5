import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerConfigPath, readDockerCredentials } from "./docker-config.ts";
import { OciError } from "./oci-error.ts";

const dir = mkdtempSync(join(tmpdir(), "docker-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(content: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("readDockerCredentials", () => {
  test("the auths entry of the registry, keyed with or without a scheme", () => {
    const path = config({ auths: {
      "127.0.0.1:5000": { auth: b64("ci:s3cret:with:colons") },
      "https://reg.example.com/v1/": { auth: b64("bob:pw") },
      "https://index.docker.io/v1/": { auth: b64("hub:hubpw") },
      "other.io": { username: "u", password: "p" },
    } });
    expect(readDockerCredentials("127.0.0.1:5000", path)).toEqual({ username: "ci", password: "s3cret:with:colons" });
    expect(readDockerCredentials("reg.example.com", path)).toEqual({ username: "bob", password: "pw" });
    expect(readDockerCredentials("docker.io", path)).toEqual({ username: "hub", password: "hubpw" });
    expect(readDockerCredentials("other.io", path)).toEqual({ username: "u", password: "p" });
    expect(readDockerCredentials("127.0.0.1:5001", path)).toBeUndefined();
  });

  test("a missing file means no credentials", () => {
    expect(readDockerCredentials("localhost", join(dir, "absent.json"))).toBeUndefined();
  });

  test("a credential helper that is not installed gives no credentials", () => {
    expect(readDockerCredentials("localhost:5000", config({ credHelpers: { "localhost:5000": "eunomia-absent-helper" } }))).toBeUndefined();
  });

  test("malformed files and auth values are OciErrors", () => {
    expect(() => readDockerCredentials("x.io", config("{not json"))).toThrow(OciError);
    expect(() => readDockerCredentials("x.io", config("null"))).toThrow(/not a JSON object/);
    expect(() => readDockerCredentials("x.io", config({ auths: { "x.io": { auth: b64("nocolon") } } }))).toThrow(/not base64 of "user:password"/);
  });

  test("the file: explicit, else $DOCKER_CONFIG, else ~/.docker", () => {
    const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, HOME: process.env.HOME };
    try {
      expect(dockerConfigPath("/x/c.json")).toBe("/x/c.json");
      process.env.DOCKER_CONFIG = "/etc/dc";
      expect(dockerConfigPath()).toBe("/etc/dc/config.json");
      delete process.env.DOCKER_CONFIG;
      process.env.HOME = "/home/u";
      expect(dockerConfigPath()).toBe("/home/u/.docker/config.json");
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});
