/**
 * The auth dance against small loopback HTTP servers written here: Debian's registry
 * offers only Basic auth without a JWT token service, so the Bearer flow and the
 * redirect rule are checked this way (Basic against the real registry: test/oci.test.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { OciError } from "./oci-error.ts";
import { RegistryClient } from "./registry-client.ts";

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const seen: { tokenQueries: string[]; tokenAuth: (string | null)[]; otherAuth: (string | null)[] } = { tokenQueries: [], tokenAuth: [], otherAuth: [] };

// Where blobs are redirected to: must never see the registry's Authorization header.
const other = Bun.serve({
  hostname: "127.0.0.1", port: 0,
  fetch(req) {
    seen.otherAuth.push(req.headers.get("authorization"));
    return new Response("blob");
  },
});

let tokenRealm = "";
const registry = Bun.serve({
  hostname: "127.0.0.1", port: 0,
  fetch(req): Response {
    const url = new URL(req.url);
    if (url.pathname === "/token") {
      seen.tokenQueries.push(url.search);
      const auth = req.headers.get("authorization");
      seen.tokenAuth.push(auth);
      if (auth !== null && auth !== basic("ci", "pw")) return new Response("no", { status: 401 });
      return Response.json({ token: auth ? "tok-ci" : "tok-anon" });
    }
    const auth = req.headers.get("authorization");
    const wanted = url.pathname.includes("/private/") ? "Bearer tok-ci" : "Bearer tok-anon";
    if (auth !== wanted) {
      return new Response("", { status: 401, headers: { "WWW-Authenticate": `Bearer realm="${tokenRealm}",service="test-svc"` } });
    }
    if (url.pathname.endsWith("/redirect")) return Response.redirect(`http://127.0.0.1:${other.port}/blob`, 307);
    return new Response("ok");
  },
});

tokenRealm = `http://127.0.0.1:${registry.port}/token`;

afterAll(() => {
  registry.stop(true);
  other.stop(true);
});

const client = (repository: string, opts = {}) => new RegistryClient({ registry: `127.0.0.1:${registry.port}`, repository, tag: "t" }, opts);

describe("RegistryClient bearer tokens", () => {
  test("anonymous: a token without credentials, scoped to the repository and access", async () => {
    seen.tokenQueries.length = 0;
    const response = await client("pub/x", { dockerConfig: "/nonexistent" }).request("GET", "manifests/t", { access: "pull" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(seen.tokenQueries).toEqual(["?service=test-svc&scope=repository%3Apub%2Fx%3Apull"]);
    expect(seen.tokenAuth.at(-1)).toBeNull();
  });

  test("with credentials: they go to the token service, the token to the registry; one token for many requests", async () => {
    seen.tokenQueries.length = 0;
    const c = client("private/x", { username: "ci", password: "pw" });
    for (let i = 0; i < 3; i++) expect((await c.request("PUT", "manifests/t", { access: "push" })).status).toBe(200);
    expect(seen.tokenQueries).toEqual(["?service=test-svc&scope=repository%3Aprivate%2Fx%3Apull%2Cpush"]);
    expect(seen.tokenAuth.at(-1)).toBe(basic("ci", "pw"));
  });

  test("wrong credentials or none where needed: one clear OciError", async () => {
    const wrong = client("private/x", { username: "ci", password: "nope" }).request("GET", "manifests/t", { access: "pull" });
    await expect(wrong).rejects.toThrow(new OciError(`registry 127.0.0.1:${registry.port} refused access to private/x: the token service rejected the credentials`));
    const none = client("private/x", { dockerConfig: "/nonexistent" }).request("GET", "manifests/t", { access: "pull" });
    await expect(none).rejects.toThrow(/refused access to private\/x: authentication failed/);
  });

  test("redirects are followed without the registry's Authorization", async () => {
    const response = await client("pub/x", { dockerConfig: "/nonexistent" }).request("GET", "blobs/redirect", { access: "pull" });
    expect(await response.text()).toBe("blob");
    expect(seen.otherAuth).toEqual([null]);
  });

  test("an unreachable registry is one line", async () => {
    const c = new RegistryClient({ registry: "127.0.0.1:1", repository: "x", tag: "t" });
    await expect(c.request("GET", "manifests/t", { access: "pull" })).rejects.toThrow("cannot reach registry 127.0.0.1:1 at http://127.0.0.1:1: connection refused");
  });
});
