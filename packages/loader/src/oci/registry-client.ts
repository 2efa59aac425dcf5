/**
 * HTTP to one repository of a registry (OCI distribution API), with the usual auth dance:
 * every request goes out anonymously (or with the authorization already won), and a 401
 * is answered once by following its `WWW-Authenticate` challenge: `Basic` sends the
 * credentials, `Bearer` trades them (or nothing, for anonymous pulls) for a token at the
 * challenge's realm. Redirects are followed by hand so credentials never leave the
 * registry's origin.
 */
import { parseAuthChallenge, type AuthChallenge } from "./auth-challenge.ts";
import { readDockerCredentials, type Credentials } from "./docker-config.ts";
import { OciError } from "./oci-error.ts";
import { isLoopback, registryOrigin, type OciReference } from "./reference.ts";

/** How to reach and authenticate to a registry. */
export interface OciOptions {
  /** With `password`: the credentials (else the Docker config's, else anonymous). */
  username?: string;
  password?: string;
  /** Plain HTTP even to a registry that is not on this machine (loopback hosts always use it). */
  insecure?: boolean;
  /** The Docker config file to read credentials from (default: `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). */
  dockerConfig?: string;
  /** Time allowed for each HTTP request (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = "eunomia-ecli";

/** What `RegistryClient.request` takes besides method and path. */
export interface RegistryRequest {
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** The access the request needs, for Bearer token scopes. */
  access: "pull" | "push";
}

/** Why a network request failed, in words (Bun's error codes are terse). */
function networkFailure(err: unknown): string {
  const e = err as Error & { code?: string };
  if (e.name === "TimeoutError" || e.name === "AbortError") return "timed out";
  switch (e.code) {
    case "ECONNREFUSED":
    case "ConnectionRefused":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_NONAME":
      return "unknown host";
    case "ConnectionClosed": return "connection closed";
    case "FailedToOpenSocket": return "cannot open a socket (unknown host or no route)";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate not trusted (${e.code})`;
  }
  return (e.message || String(err)).split("\n")[0];
}

/** A client of one repository (`ref.registry`/`ref.repository`). */
export class RegistryClient {
  readonly origin: string;
  private authorization?: string;
  private credentials?: Credentials | null; // null: looked up, none found
  private readonly timeoutMs: number;

  constructor(readonly ref: OciReference, private readonly opts: OciOptions = {}) {
    this.origin = registryOrigin(ref.registry, opts.insecure);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Where the registry is, for messages: "registry 127.0.0.1:5000 (http)". */
  get where(): string {
    return `registry ${this.ref.registry}${this.origin.startsWith("http:") && !isLoopback(this.ref.registry) ? " (plain HTTP)" : ""}`;
  }

  /** The repository's API URL for `path` ("blobs/sha256:..." -> http://host/v2/repo/blobs/sha256:...). */
  url(path: string): string {
    return `${this.origin}/v2/${this.ref.repository}/${path}`;
  }

  private findCredentials(): Credentials | undefined {
    if (this.credentials === undefined) {
      const { username, password, dockerConfig } = this.opts;
      if (username !== undefined || password !== undefined) {
        if (username === undefined || password === undefined) throw new OciError("give both a username and a password (or neither)");
        this.credentials = { username, password };
      } else {
        this.credentials = readDockerCredentials(this.ref.registry, dockerConfig) ?? null;
      }
    }
    return this.credentials ?? undefined;
  }

  private async send(url: string, method: string, init: RegistryRequest, withAuth: boolean): Promise<Response> {
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...init.headers };
    if (withAuth && this.authorization) headers.Authorization = this.authorization;
    try {
      return await fetch(url, {
        method,
        headers,
        body: init.body as Uint8Array<ArrayBuffer> | undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new OciError(`cannot reach ${this.where} at ${new URL(url).origin}: ${networkFailure(err)}`, { cause: err });
    }
  }

  /** Sends one request, following redirects (credentials only to the registry's own origin). */
  private async sendFollowing(url: string, method: string, init: RegistryRequest): Promise<Response> {
    let response = await this.send(url, method, init, true);
    for (let hop = 0; hop < MAX_REDIRECTS && response.status >= 300 && response.status < 400; hop++) {
      const location = response.headers.get("location");
      if (!location) break;
      url = new URL(location, url).href;
      await response.body?.cancel();
      response = await this.send(url, method, init, new URL(url).origin === this.origin);
    }
    return response;
  }

  /** Answers a 401's challenge by setting `this.authorization`. */
  private async authenticate(challenge: AuthChallenge | undefined, access: "pull" | "push"): Promise<void> {
    const creds = this.findCredentials();
    const refused = (why: string) => new OciError(`${this.where} refused access to ${this.ref.repository}: ${why}`, { status: 401 });
    if (challenge?.scheme === "basic") {
      if (!creds) throw refused("it needs credentials (--username and --password, or docker login)");
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
      return;
    }
    if (challenge?.scheme !== "bearer" || !challenge.params.realm) {
      throw refused(`unsupported authentication challenge ${JSON.stringify(challenge ? challenge.scheme : "none")}`);
    }
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    const scope = challenge.params.scope ?? `repository:${this.ref.repository}:${access === "push" ? "pull,push" : "pull"}`;
    tokenUrl.searchParams.set("scope", scope);
    const headers: Record<string, string> = { "User-Agent": USER_AGENT };
    if (creds) headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    let response: Response;
    try {
      response = await fetch(tokenUrl, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new OciError(`cannot reach the token service ${tokenUrl.origin} of ${this.where}: ${networkFailure(err)}`, { cause: err });
    }
    if (response.status === 401 || response.status === 403) {
      throw refused(creds ? "the token service rejected the credentials" : "it needs credentials (--username and --password, or docker login)");
    }
    if (!response.ok) throw new OciError(`the token service ${tokenUrl.origin} of ${this.where} answered HTTP ${response.status}`, { status: response.status });
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "") throw new OciError(`the token service ${tokenUrl.origin} of ${this.where} sent no token`);
    this.authorization = `Bearer ${token}`;
  }

  /**
   * Sends `method` to the repository's `path` (or an absolute URL the registry gave),
   * authenticating when challenged. Returns whatever status the registry answered
   * except a second 401, which is an OciError.
   */
  async request(method: string, pathOrUrl: string, init: RegistryRequest): Promise<Response> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.url(pathOrUrl);
    let response = await this.sendFollowing(url, method, init);
    if (response.status !== 401) return response;
    const hadAuthorization = this.authorization;
    await response.body?.cancel();
    await this.authenticate(parseAuthChallenge(response.headers.get("www-authenticate")), init.access);
    response = await this.sendFollowing(url, method, init);
    if (response.status === 401) {
      await response.body?.cancel();
      const why = this.authorization?.startsWith("Basic") || hadAuthorization ? "the credentials were rejected" : "authentication failed";
      throw new OciError(`${this.where} refused access to ${this.ref.repository}: ${why}`, { status: 401 });
    }
    return response;
  }

  /** Throws an OciError for a response that is not what `what` needed, with the registry's own error text. */
  async fail(response: Response, what: string): Promise<never> {
    let detail = "";
    try {
      const body = (await response.json()) as { errors?: { code?: string; message?: string }[] };
      const first = body.errors?.[0];
      if (first) detail = `: ${[first.code, first.message].filter(Boolean).join(" ")}`;
    } catch {
      // not the registry's JSON error body
    }
    if (response.status === 403) throw new OciError(`${this.where} denied ${what}${detail} (HTTP 403)`, { status: 403 });
    throw new OciError(`${what} failed: ${this.where} answered HTTP ${response.status}${detail}`, { status: response.status });
  }
}
