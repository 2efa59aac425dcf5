/**
 * Run-time helpers the compiled decoders call for leaves that need more than one
 * DataView read: C strings, enum names and wide bitfields.
 */

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Below this length, building a string char by char beats TextDecoder's call overhead. */
const SHORT = 16;

/** `char[len]` at `off`: text up to the first NUL; ASCII fast path, UTF-8 (U+FFFD for bad bytes) otherwise. */
export function str(u8: Uint8Array, off: number, len: number): string {
  const lim = off + len;
  let end = off;
  let high = 0;
  while (end < lim) {
    const c = u8[end];
    if (c === 0) break;
    high |= c;
    end++;
  }
  return text(u8, off, end, high < 0x80);
}

/** Bytes [off, end) as a string; `ascii` says no byte is >= 0x80. */
export function text(u8: Uint8Array, off: number, end: number, ascii: boolean): string {
  if (end === off) return "";
  if (ascii && end - off < SHORT) {
    let s = "";
    for (let i = off; i < end; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  return utf8.decode(u8.subarray(off, end));
}

/** The enumerator name of `v`, or `v` itself when the enum has no such value. */
export function en(names: Map<number | bigint, string>, v: number | bigint): string | number | bigint {
  const n = names.get(v);
  return n === undefined ? v : n;
}

/** A bitfield spanning more than 4 bytes: `bitSize` bits starting `shift` bits into byte `off`. */
export function bitsBig(u8: Uint8Array, off: number, span: number, shift: number, bitSize: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = span - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[off + i]);
  v = BigInt.asUintN(bitSize, v >> BigInt(shift));
  return signed ? BigInt.asIntN(bitSize, v) : v;
}
