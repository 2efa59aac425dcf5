/**
 * Docker-style image references: `host[:port]/path/name[:tag][@sha256:hex]`. A first
 * component without a dot or a colon (and not `localhost`) is a Docker Hub path, as
 * `docker pull` reads it.
 */
import { OciError } from "./oci-error.ts";

/** A parsed reference. Exactly one of `tag` and `digest` is meant for fetching; a digest wins. */
export interface OciReference {
  /** `host` or `host:port` (`docker.io` for Docker Hub). */
  registry: string;
  /** The repository path, e.g. `eunomia/bootstrap`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = "docker.io";
const DOCKER_HUB_API_HOST = "registry-1.docker.io";
const DEFAULT_TAG = "latest";

// The grammar of distribution's reference package, written out again.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Whether the first path component names a registry host rather than a Docker Hub namespace. */
function namesHost(component: string): boolean {
  return (component.includes(".") || component.includes(":") || component === "localhost") && HOST.test(component);
}

/**
 * Parses a reference; a reference with neither tag nor digest gets the tag `latest`.
 * @throws OciError when `ref` is not a valid reference.
 * @example parseReference("127.0.0.1:5000/tools/bootstrap:v1")
 *   // { registry: "127.0.0.1:5000", repository: "tools/bootstrap", tag: "v1" }
 */
export function parseReference(ref: string): OciReference {
  const bad = (why: string) => new OciError(`bad reference ${JSON.stringify(ref)}: ${why} (expected host[:port]/repository[:tag][@digest])`);
  if (ref.trim() !== ref || ref === "") throw bad("empty or surrounded by blanks");
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`digest ${JSON.stringify(digest)} is not sha256:<64 hex> or sha512:<128 hex>`);
  }
  const slash = rest.indexOf("/");
  let registry = DOCKER_HUB;
  if (slash > 0 && namesHost(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`tag ${JSON.stringify(tag)} is not valid`);
  }
  if (rest === "") throw bad("no repository");
  const components = rest.split("/");
  const wrong = components.find((c) => !PATH_COMPONENT.test(c));
  if (wrong !== undefined) throw bad(`repository component ${JSON.stringify(wrong)} is not lower-case letters, digits and separators`);
  if (registry === DOCKER_HUB && components.length === 1) rest = `library/${rest}`;
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { registry, repository: rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * Whether `text` is meant as a registry reference rather than a file name: its first
 * component is a host (it has a dot or a colon, or is `localhost`) and it parses.
 * @example looksLikeReference("localhost:5000/bootstrap:v1") // true
 * @example looksLikeReference("examples/bootstrap/package.json") // false
 */
export function looksLikeReference(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash <= 0 || !namesHost(text.slice(0, slash))) return false;
  try {
    parseReference(text);
    return true;
  } catch {
    return false;
  }
}

/** The host name of `registry` without its port or IPv6 brackets. */
export function hostName(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.lastIndexOf(":");
  return colon >= 0 ? registry.slice(0, colon) : registry;
}

/** Whether `registry` is on this machine (localhost, 127.0.0.0/8, ::1): plain HTTP is allowed there. */
export function isLoopback(registry: string): boolean {
  const host = hostName(registry).toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The origin the registry's API lives at: plain HTTP for loopback hosts or when `plainHttp`, else HTTPS. */
export function registryOrigin(registry: string, plainHttp = false): string {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
  return `${plainHttp || isLoopback(registry) ? "http" : "https"}://${host}`;
}

/** `ref` written back as text, e.g. for messages. */
export function formatReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
