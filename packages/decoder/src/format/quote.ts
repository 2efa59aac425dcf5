/** JSON string quoting with a fast path for text that needs no escapes. */

/** `JSON.stringify(s)`, skipping the native call when no character needs escaping. */
export function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, '"', '\\' and surrogates (a lone one must become \uXXXX).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** Decimal digits of a bigint; via Number when exact (much faster than BigInt#toString). */
export function bigintText(v: bigint): string {
  return v <= 9007199254740991n && v >= -9007199254740991n ? String(Number(v)) : v.toString();
}
