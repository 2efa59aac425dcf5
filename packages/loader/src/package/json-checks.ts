/**
 * Small checks for parsed JSON that report the field path on failure,
 * e.g. "package: meta.bpf_skel.progs[0].link must be a boolean (got string)".
 */
import { PackageError } from "./package-error.ts";

/** A JSON object being checked, with its path for messages. */
export type Fields = Record<string, unknown>;

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === undefined ? "it is missing" : `got ${kind(value)}`;
  throw new PackageError(`${path} must be ${expected} (${got})`, { path });
}

/** `value` as an object, or a {@link PackageError} naming `path`. */
export function asObject(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "an object", value);
  return value as Fields;
}

/** A required string field. */
export function str(obj: Fields, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== "string") fail(`${path}.${key}`, "a string", value);
  return value;
}

/** An optional string field. */
export function optStr(obj: Fields, key: string, path: string): void {
  if (obj[key] !== undefined) str(obj, key, path);
}

/** A required non-negative integer field. */
export function uint(obj: Fields, key: string, path: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    fail(`${path}.${key}`, "a non-negative integer", value);
  }
  return value;
}

/** An optional non-negative integer field. */
export function optUint(obj: Fields, key: string, path: string): void {
  if (obj[key] !== undefined) uint(obj, key, path);
}

/** A required boolean field. */
export function bool(obj: Fields, key: string, path: string): boolean {
  const value = obj[key];
  if (typeof value !== "boolean") fail(`${path}.${key}`, "a boolean", value);
  return value;
}

/** An optional boolean field. */
export function optBool(obj: Fields, key: string, path: string): void {
  if (obj[key] !== undefined) bool(obj, key, path);
}

/** Checks every element of the array field `key` with `each(element, elementPath)`; null allowed if `nullable`. */
export function list(
  obj: Fields,
  key: string,
  path: string,
  each: (item: unknown, itemPath: string) => void,
  nullable = false,
): void {
  const value = obj[key];
  if (nullable && value === null) return;
  if (!Array.isArray(value)) fail(`${path}.${key}`, nullable ? "an array or null" : "an array", value);
  value.forEach((item, i) => each(item, `${path}.${key}[${i}]`));
}

/** An optional field whose value must be one of `choices`. */
export function optOneOf(obj: Fields, key: string, path: string, choices: readonly string[]): void {
  const value = obj[key];
  if (value === undefined) return;
  if (typeof value !== "string" || !choices.includes(value)) {
    throw new PackageError(`${path}.${key} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, {
      path: `${path}.${key}`,
    });
  }
}
