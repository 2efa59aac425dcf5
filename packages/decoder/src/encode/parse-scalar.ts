/** Parsing of command-line scalars: integers (decimal, 0x hex), floats and booleans. */

const INT_RE = /^([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)$/;
const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The exact integer in `v`, or undefined when it is not one. */
export function parseInteger(v: string | number | bigint | boolean): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === "boolean") return undefined;
  const m = INT_RE.exec(v);
  if (!m) return undefined;
  const n = BigInt(m[2]); // BigInt() reads both decimal and 0x text exactly
  return m[1] === "-" ? -n : n;
}

/** The float in `v` (also "nan", "inf", "-infinity"), or undefined. */
export function parseFloatValue(v: string | number | bigint | boolean): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return undefined;
  const lower = v.toLowerCase();
  if (lower === "nan") return NaN;
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith("-") ? -Infinity : Infinity;
  return FLOAT_RE.test(v) ? Number(v) : undefined;
}

/** true/false from a boolean, 0/1, or the words true/false/1/0/yes/no. */
export function parseBool(v: string | number | bigint | boolean): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number" || typeof v === "bigint") return v == 0 ? false : v == 1 ? true : undefined;
  switch (v.toLowerCase()) {
    case "true": case "1": case "yes": return true;
    case "false": case "0": case "no": return false;
    default: return undefined;
  }
}
