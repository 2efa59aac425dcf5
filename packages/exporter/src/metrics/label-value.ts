/** Event field values as plain label strings (the original renders them without quotes). */
import type { DecodedValue } from "@eunomia/decoder";

/**
 * "1234" for integers of every width, the text of a `char[]`, "true"/"false", and JSON
 * (bigints as digits) for structs and arrays.
 */
export function labelValue(value: DecodedValue | undefined): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
    case "undefined":
      return "";
    default:
      return value === null ? "" : JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }
}

/** A numeric field as a number for a histogram, or undefined when it is not numeric. */
export function numericValue(value: DecodedValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}
