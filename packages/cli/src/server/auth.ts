/**
 * Bearer-token checks for the server. Both sides are hashed first, so the comparison
 * takes the same time whatever the token's length and however much of it matches.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Makes a checker for `Authorization: Bearer <token>` headers; with no token, every
 * request passes.
 * @example const allowed = bearerCheck("s3cret"); allowed(request.headers.get("authorization"));
 */
export function bearerCheck(token: string | undefined): (header: string | null) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const given = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? "")?.[1] ?? "";
    // Always compare, also for a missing header, so timing says nothing.
    const same = timingSafeEqual(digest(given), expected);
    return same && given.length > 0;
  };
}

/**
 * The token in a token file: its content without the final line break.
 * @throws Error when the token is empty or spans several lines.
 */
export function tokenFromFile(text: string, file: string): string {
  const token = text.replace(/\r?\n$/, "");
  if (token.trim() === "") throw new Error(`token file ${file} is empty`);
  if (/[\r\n]/.test(token)) throw new Error(`token file ${file} must hold one line`);
  return token.trim();
}
