/**
 * `formatJson`: one JSON text for a decoded value. Unlike `JSON.stringify` it writes
 * bigints as exact digits; strings go through `JSON.stringify`, which escapes quotes,
 * backslashes, control bytes and lone surrogates, so the output always parses.
 */
import type { DecodedValue } from "../decode/value.ts";
import { bigintText, quote } from "./quote.ts";

/**
 * Formats `value` as compact JSON; non-finite floats become `null` as in `JSON.stringify`.
 *
 * @example
 *   formatJson({ pid: 1, ts: 18446744073709551615n, comm: "a\"b" });
 *   // '{"pid":1,"ts":18446744073709551615,"comm":"a\\"b"}'
 */
export function formatJson(value: DecodedValue): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
      return bigintText(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let s = "[";
        for (let i = 0; i < value.length; i++) s += (i === 0 ? "" : ",") + formatJson(value[i]);
        return `${s}]`;
      }
      let s = "{";
      let first = true;
      for (const key in value) {
        s += `${first ? "" : ","}${quote(key)}:${formatJson(value[key])}`;
        first = false;
      }
      return `${s}}`;
    }
    default:
      // undefined, functions or symbols cannot come from the decoder; keep the JSON valid anyway.
      return "null";
  }
}
