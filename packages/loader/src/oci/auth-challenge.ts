/**
 * Parses `WWW-Authenticate` headers of registries (RFC 7235): a scheme, then
 * comma-separated `key=value` pairs whose values may be quoted strings with commas inside.
 */

/** One challenge: the scheme lower-cased, its parameters with lower-cased keys. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * The first challenge in `header`, or undefined when it has none.
 * @example parseAuthChallenge('Bearer realm="https://a/token",service="reg",scope="repository:x:pull,push"')
 *   // { scheme: "bearer", params: { realm: "https://a/token", service: "reg", scope: "repository:x:pull,push" } }
 */
export function parseAuthChallenge(header: string | null | undefined): AuthChallenge | undefined {
  const text = (header ?? "").trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*/.exec(text);
  if (!schemeMatch) return undefined;
  const params: Record<string, string> = {};
  let i = schemeMatch[0].length;
  while (i < text.length) {
    const keyMatch = /^\s*,?\s*([A-Za-z0-9_.-]+)\s*=\s*/.exec(text.slice(i));
    if (!keyMatch) break; // a token68 form or a second challenge: nothing more we need
    i += keyMatch[0].length;
    let value = "";
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i];
      }
      i++; // the closing quote
    } else {
      const end = text.indexOf(",", i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    params[keyMatch[1].toLowerCase()] = value;
  }
  return { scheme: schemeMatch[1].toLowerCase(), params };
}
