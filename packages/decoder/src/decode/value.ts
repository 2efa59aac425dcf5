/** The JS value a decoded C value becomes. */

/**
 * A decoded value: integers of 1/2/4 bytes are numbers, 8/16-byte integers bigints,
 * `char[N]` strings, enums their enumerator name (or number when unknown), pointers
 * bigint addresses, structs/unions objects in declaration order, arrays arrays.
 */
export type DecodedValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | DecodedValue[]
  | { [field: string]: DecodedValue };
