import { describe, expect, test } from "bun:test";
import { OciError } from "./oci-error.ts";
import { formatReference, isLoopback, looksLikeReference, parseReference, registryOrigin } from "./reference.ts";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseReference", () => {
  test("host, port, nested repository, tag and digest", () => {
    expect(parseReference("127.0.0.1:5000/tools/bootstrap:v1")).toEqual({ registry: "127.0.0.1:5000", repository: "tools/bootstrap", tag: "v1" });
    expect(parseReference("localhost/bootstrap")).toEqual({ registry: "localhost", repository: "bootstrap", tag: "latest" });
    expect(parseReference(`ghcr.io/eunomia-bpf/x@${D}`)).toEqual({ registry: "ghcr.io", repository: "eunomia-bpf/x", digest: D });
    expect(parseReference(`reg.example.com:443/a/b/c:1.0-rc_1@${D}`)).toEqual({ registry: "reg.example.com:443", repository: "a/b/c", tag: "1.0-rc_1", digest: D });
    expect(parseReference("[::1]:5000/x:y")).toEqual({ registry: "[::1]:5000", repository: "x", tag: "y" });
  });

  test("a first component without dot or colon is a Docker Hub namespace", () => {
    expect(parseReference("ubuntu")).toEqual({ registry: "docker.io", repository: "library/ubuntu", tag: "latest" });
    expect(parseReference("eunomia/bootstrap:v2")).toEqual({ registry: "docker.io", repository: "eunomia/bootstrap", tag: "v2" });
  });

  test("bad references are OciErrors that say why", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      [" localhost/x", /blanks/],
      ["localhost/Upper", /component "Upper"/],
      ["localhost/x:bad tag", /tag "bad tag"/],
      ["localhost/x@sha256:123", /digest "sha256:123"/],
      ["localhost/", /no repository/],
      ["localhost/a//b", /component ""/],
      ["localhost/-x", /component "-x"/],
    ];
    for (const [ref, why] of cases) {
      expect(() => parseReference(ref)).toThrow(OciError);
      expect(() => parseReference(ref)).toThrow(why);
    }
  });

  test("formatReference writes a reference back", () => {
    for (const ref of ["127.0.0.1:5000/a/b:v1", `localhost/x@${D}`, `h.io/x:t@${D}`]) expect(formatReference(parseReference(ref))).toBe(ref);
  });
});

describe("looksLikeReference", () => {
  test("a host first, then a valid repository", () => {
    for (const yes of ["localhost:5000/bootstrap:v1", "127.0.0.1:5000/a/b", "registry.example.com/x", "localhost/x"]) expect(looksLikeReference(yes)).toBe(true);
  });
  test("file names and URLs are not references", () => {
    for (const no of ["package.json", "examples/bootstrap/package.json", "./pkg.json", "../x/y", "/abs/path", "-", "https://h/x", "ubuntu", "a.b/UPPER.json"]) {
      expect(looksLikeReference(no)).toBe(false);
    }
  });
});

describe("plain HTTP only for loopback", () => {
  test("isLoopback", () => {
    for (const r of ["localhost", "localhost:5000", "127.0.0.1:5000", "127.8.9.10", "[::1]:5000"]) expect(isLoopback(r)).toBe(true);
    for (const r of ["example.com", "10.0.0.1:5000", "127.0.0.1.example.com", "localhost.evil.com:5000", "docker.io"]) expect(isLoopback(r)).toBe(false);
  });
  test("registryOrigin", () => {
    expect(registryOrigin("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(registryOrigin("ghcr.io")).toBe("https://ghcr.io");
    expect(registryOrigin("reg.lan:5000", true)).toBe("http://reg.lan:5000");
    expect(registryOrigin("docker.io")).toBe("https://registry-1.docker.io");
  });
});
