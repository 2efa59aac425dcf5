/**
 * Run-time helpers of compiled JSON writers (`createJsonWriter`): decimal digits, C strings
 * and ASCII text written as UTF-8 bytes straight into an output buffer. Every helper takes
 * the buffer and a position and returns the position after what it wrote; the caller has
 * made sure there is room (see `maxJsonBytes` in json-writer.ts).
 */
import { floatText } from "./json-helpers.ts";
import { bigintText } from "./quote.ts";

/** "00".."99" as pairs of ASCII digits. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

// The digit writers below keep to int32 arithmetic where they can: a value that does not
// fit in int32 goes to a separate function, so the JIT's type profile of the common path
// stays int32. Quotients use a multiply by the reciprocal truncated with `| 0`: the
// doubles 1e-4 and 1e-8 are slightly above 1/10^4 and 1/10^8, so for the ranges used here
// (below 2^32) the product never rounds below, or up across, the next integer.

/** Four digits of the int `x` < 1e4 at `p`, zero-padded. */
function four(out: Uint8Array, p: number, x: number): void {
  const a = (x * 5243) >>> 19; // x / 100 for x < 43699
  const b = x - a * 100;
  out[p] = PAIRS[2 * a];
  out[p + 1] = PAIRS[2 * a + 1];
  out[p + 2] = PAIRS[2 * b];
  out[p + 3] = PAIRS[2 * b + 1];
}

/** Eight digits of the int `x` < 1e8 at `p`, zero-padded. */
function eight(out: Uint8Array, p: number, x: number): void {
  const h = (x * 1e-4) | 0;
  four(out, p, h);
  four(out, p + 4, x - h * 10000);
}

/** One to four digits of the int `x` < 1e4. */
function small(out: Uint8Array, p: number, x: number): number {
  if (x < 100) {
    if (x < 10) {
      out[p] = 48 + x;
      return p + 1;
    }
    out[p] = PAIRS[2 * x];
    out[p + 1] = PAIRS[2 * x + 1];
    return p + 2;
  }
  const a = (x * 5243) >>> 19;
  const b = x - a * 100;
  if (a < 10) {
    out[p] = 48 + a;
    p += 1;
  } else {
    out[p] = PAIRS[2 * a];
    out[p + 1] = PAIRS[2 * a + 1];
    p += 2;
  }
  out[p] = PAIRS[2 * b];
  out[p + 1] = PAIRS[2 * b + 1];
  return p + 2;
}

/** Decimal digits of the int `n`, 0 <= n < 2^31. */
export function writePos(out: Uint8Array, p: number, n: number): number {
  if (n < 10000) return small(out, p, n);
  if (n < 100000000) {
    const hi = (n * 1e-4) | 0;
    p = small(out, p, hi);
    four(out, p, n - hi * 10000);
    return p + 4;
  }
  const top = (n * 1e-8) | 0;
  p = small(out, p, top);
  eight(out, p, n - top * 100000000);
  return p + 8;
}

/** Decimal digits of an unsigned 32-bit value given as its int32 bit pattern `v`. */
export function writeU32(out: Uint8Array, p: number, v: number): number {
  return v >= 0 ? writePos(out, p, v) : writeU32High(out, p, v);
}

/** An unsigned 32-bit value >= 2^31 (int32 bit pattern `v` < 0): always ten digits. */
function writeU32High(out: Uint8Array, p: number, v: number): number {
  const n = v + 4294967296;
  const top = (n * 1e-8) | 0; // 21..42
  out[p] = PAIRS[2 * top];
  out[p + 1] = PAIRS[2 * top + 1];
  eight(out, p + 2, (n - top * 100000000) | 0);
  return p + 10;
}

/** Decimal digits of the int32 `v`. */
export function writeI32(out: Uint8Array, p: number, v: number): number {
  if (v >= 0) return writePos(out, p, v);
  out[p] = 45; // '-'
  if (v === -2147483648) return writeU32High(out, p + 1, v);
  return writePos(out, p + 1, -v);
}

/** Decimal digits of the non-negative integer `n` < 2^53 (a double). */
function writeBelow2p53(out: Uint8Array, p: number, n: number): number {
  if (n < 2147483648) return writePos(out, p, n | 0);
  let hi = Math.floor(n / 1e8);
  let lo = n - hi * 1e8; // exact: integers below 2^53
  if (lo < 0) { hi--; lo += 1e8; } else if (lo >= 1e8) { hi++; lo -= 1e8; }
  p = writePos(out, p, hi); // hi < 2^53 / 1e8 < 2^31
  eight(out, p, lo | 0);
  return p + 8;
}

/** Decimal digits of the integer `n` with |n| < 2^53 (any number a reader produced). */
export function writeInt(out: Uint8Array, p: number, n: number): number {
  if (n < 0) {
    out[p++] = 45;
    n = -n;
  }
  return writeBelow2p53(out, p, n);
}

/** Unsigned 64-bit value from the int32 bit patterns of its halves: no bigint. */
export function writeU64(out: Uint8Array, p: number, hi: number, lo: number): number {
  if (hi === 0 && lo >= 0) return writePos(out, p, lo);
  return writeU64Wide(out, p, hi >>> 0, lo >>> 0);
}

/** The unsigned 64-bit value hi*2^32+lo, both halves unsigned 32-bit numbers. */
function writeU64Wide(out: Uint8Array, p: number, hi: number, lo: number): number {
  if (hi < 0x200000) return writeBelow2p53(out, p, hi * 4294967296 + lo);
  // 2^32 = 4294 * 1e6 + 967296, so the value is (hi*4294 + carry) * 1e6 + rest.
  const low = hi * 967296 + lo;
  let carry = Math.floor(low / 1e6);
  let rest = low - carry * 1e6;
  if (rest < 0) { carry--; rest += 1e6; } else if (rest >= 1e6) { carry++; rest -= 1e6; }
  p = writeBelow2p53(out, p, hi * 4294 + carry);
  const r = rest | 0;
  const h = (r * 1e-4) | 0; // < 100
  out[p] = PAIRS[2 * h];
  out[p + 1] = PAIRS[2 * h + 1];
  four(out, p + 2, r - h * 10000);
  return p + 6;
}

/** Signed 64-bit value from the int32 bit patterns of its halves: no bigint. */
export function writeI64(out: Uint8Array, p: number, hi: number, lo: number): number {
  if (hi === 0 && lo >= 0) return writePos(out, p, lo);
  if (hi === -1 && lo < 0) return writeI32(out, p, lo);
  return writeI64Wide(out, p, hi, lo >>> 0);
}

/** The signed 64-bit value with signed high half `hi`, unsigned low half `lo`. */
function writeI64Wide(out: Uint8Array, p: number, hi: number, lo: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return writeInt(out, p, hi * 4294967296 + lo);
  if (hi >= 0) return writeU64Wide(out, p, hi, lo);
  // Two's complement negation of the 64-bit value, then its magnitude.
  const nlo = (~lo + 1) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  out[p] = 45;
  return writeU64Wide(out, p + 1, nhi, nlo);
}

/** The `size`-byte little-endian integer at `u8[a]` as a bigint (as DataView reads it). */
export function readBig(u8: Uint8Array, a: number, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[a + i]);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

/** The little-endian IEEE float of `size` bytes (2, 4 or 8) at `u8[a]`. */
export function readFloat(u8: Uint8Array, a: number, size: number): number {
  for (let i = 0; i < size; i++) floatBytes[i] = u8[a + i];
  if (size === 8) return floatView.getFloat64(0, true);
  if (size === 4) return floatView.getFloat32(0, true);
  return (floatView as DataView & { getFloat16(o: number, le: boolean): number }).getFloat16(0, true);
}

/** The characters of `s`, all below U+0080 (digits, "null", "-1e+300", ...). */
export function writeAscii(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/** A bigint's decimal digits. */
export function writeBigint(out: Uint8Array, p: number, v: bigint): number {
  return writeAscii(out, p, bigintText(v));
}

/** A float as JSON: the text of `String(f)`, `null` when not finite. */
export function writeFloat(out: Uint8Array, p: number, f: number): number {
  return writeAscii(out, p, floatText(f));
}

/** Constant bytes `k` (a field name, an enumerator). */
export function writeBytes(out: Uint8Array, p: number, k: Uint8Array): number {
  const n = k.length;
  if (n > 32) out.set(k, p);
  else for (let i = 0; i < n; i++) out[p + i] = k[i];
  return p + n;
}

/** An enumerator's quoted name (pre-encoded) or, when it has none, the number. */
export function writeEnum(out: Uint8Array, p: number, names: Map<number | bigint, Uint8Array>, v: number | bigint): number {
  const k = names.get(v);
  if (k !== undefined) return writeBytes(out, p, k);
  return typeof v === "bigint" ? writeBigint(out, p, v) : writeInt(out, p, v);
}

const HEX = "0123456789abcdef";

/** `\uXXXX` (lowercase hex, as JSON.stringify writes it) for the UTF-16 unit `c`. */
function writeUnicodeEscape(out: Uint8Array, p: number, c: number): number {
  out[p] = 92;
  out[p + 1] = 117;
  out[p + 2] = HEX.charCodeAt(c >> 12);
  out[p + 3] = HEX.charCodeAt((c >> 8) & 15);
  out[p + 4] = HEX.charCodeAt((c >> 4) & 15);
  out[p + 5] = HEX.charCodeAt(c & 15);
  return p + 6;
}

/** An ASCII unit that JSON.stringify escapes (control, '"', '\\'), escaped the same way. */
function writeAsciiEscape(out: Uint8Array, p: number, c: number): number {
  let e = 0;
  switch (c) {
    case 0x22: e = 0x22; break;
    case 0x5c: e = 0x5c; break;
    case 0x08: e = 0x62; break; // \b
    case 0x09: e = 0x74; break; // \t
    case 0x0a: e = 0x6e; break; // \n
    case 0x0c: e = 0x66; break; // \f
    case 0x0d: e = 0x72; break; // \r
    default: return writeUnicodeEscape(out, p, c);
  }
  out[p] = 92;
  out[p + 1] = e;
  return p + 2;
}

/**
 * `JSON.stringify(s)` as UTF-8 bytes, without the quotes: escapes as JSON.stringify does
 * (lone surrogates become `\udXXX`), everything else encoded as UTF-8.
 */
export function writeJsonText(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x22 || c === 0x5c) p = writeAsciiEscape(out, p, c);
      else out[p++] = c;
    } else if (c < 0x800) {
      out[p] = 0xc0 | (c >> 6);
      out[p + 1] = 0x80 | (c & 63);
      p += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p] = 0xf0 | (cp >> 18);
        out[p + 1] = 0x80 | ((cp >> 12) & 63);
        out[p + 2] = 0x80 | ((cp >> 6) & 63);
        out[p + 3] = 0x80 | (cp & 63);
        p += 4;
        i++;
      } else {
        p = writeUnicodeEscape(out, p, c);
      }
    } else {
      out[p] = 0xe0 | (c >> 12);
      out[p + 1] = 0x80 | ((c >> 6) & 63);
      out[p + 2] = 0x80 | (c & 63);
      p += 3;
    }
  }
  return p;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * `char[len]` at `off` as a JSON string: text up to the first NUL. Printable ASCII is
 * copied byte by byte and ASCII escapes written in place; at the first byte >= 0x80 the
 * string is redone exactly: decoded as UTF-8 (U+FFFD for invalid bytes), then quoted.
 */
export function writeStr(out: Uint8Array, u8: Uint8Array, off: number, len: number, p: number): number {
  const start = p;
  out[p++] = 34;
  const lim = off + len;
  for (let i = off; i < lim; i++) {
    const c = u8[i];
    if (c === 0) break;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x80) out[p++] = c;
    else if (c < 0x80) p = writeAsciiEscape(out, p, c);
    else return writeStrExact(out, u8, off, lim, start);
  }
  out[p] = 34;
  return p + 1;
}

/** The exact path of `writeStr` for strings with non-ASCII bytes. */
function writeStrExact(out: Uint8Array, u8: Uint8Array, off: number, lim: number, p: number): number {
  let end = off;
  while (end < lim && u8[end] !== 0) end++;
  out[p++] = 34;
  p = writeJsonText(out, p, utf8.decode(u8.subarray(off, end)));
  out[p] = 34;
  return p + 1;
}
