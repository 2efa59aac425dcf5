/**
 * Run-time helpers of compiled JSON formatters: 64-bit integers printed from two
 * 32-bit halves (no bigint allocated), C strings quoted straight from bytes.
 */
import { text } from "../decode/readers.ts";
import { bigintText, quote } from "./quote.ts";

/** Decimal text of the unsigned 64-bit value hi*2^32+lo (both halves unsigned 32-bit). */
function u64Parts(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo); // below 2^53: exact as a double
  // 2^32 = 4294 * 1e6 + 967296, so the value is (hi*4294 + carry) * 1e6 + rest.
  const low = hi * 967296 + lo;
  const rest = low % 1e6;
  return String(hi * 4294 + (low - rest) / 1e6) + String(rest).padStart(6, "0");
}

/** Unsigned 64-bit little-endian integer at `a`, as decimal text. */
export function u64Text(dv: DataView, a: number): string {
  return u64Parts(dv.getUint32(a + 4, true), dv.getUint32(a, true));
}

/** Signed 64-bit little-endian integer at `a`, as decimal text. */
export function i64Text(dv: DataView, a: number): string {
  const hi = dv.getInt32(a + 4, true);
  const lo = dv.getUint32(a, true);
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 4294967296 + lo);
  if (hi >= 0) return u64Parts(hi, lo);
  // Two's complement negation of the 64-bit value, then print its magnitude.
  const nlo = (~lo + 1) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  return `-${u64Parts(nhi, nlo)}`;
}

/** A float as JSON: non-finite values become null, as JSON.stringify does. */
export function floatText(f: number): string {
  return Number.isFinite(f) ? String(f) : "null";
}

/** `char[len]` at `off` as a JSON string literal. */
export function strJson(u8: Uint8Array, off: number, len: number): string {
  const lim = off + len;
  let end = off;
  let plain = true; // printable ASCII without '"' or '\\': no escaping, no UTF-8 decoding
  while (end < lim) {
    const c = u8[end];
    if (c === 0) break;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) plain = false;
    end++;
  }
  return plain ? `"${text(u8, off, end, true)}"` : quote(text(u8, off, end, false));
}

/** Enumerator name (pre-quoted) or the number, as JSON. */
export function enumJson(names: Map<number | bigint, string>, v: number | bigint): string {
  const n = names.get(v);
  return n !== undefined ? n : typeof v === "bigint" ? bigintText(v) : String(v);
}

export { bigintText };
