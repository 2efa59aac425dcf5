/**
 * `createDecoder`: plans and compiles the decoder of one BTF type once; the function it
 * returns is the per-record hot path.
 */
import type { Btf } from "../btf/btf.ts";
import { bindReader } from "./bind-reader.ts";
import { compilePlan } from "./compile.ts";
import { planType } from "./plan.ts";
import type { DecodedValue } from "./value.ts";

/** Decodes one value of a fixed type from `bytes` at `offset` (default 0). */
export interface Decoder {
  (bytes: Uint8Array, offset?: number): DecodedValue;
  /** Bytes one value occupies. */
  readonly size: number;
  /** The BTF type id it decodes. */
  readonly typeId: number;
}

/**
 * Builds a decoder for BTF type `typeId` (usually the event struct).
 *
 * @throws BtfError/DecodeError at build time when the type cannot be decoded (void,
 *   functions, a member outside its struct, ...); the returned function throws
 *   DecodeError when `bytes` is shorter than the type.
 * @example
 *   const decode = createDecoder(btf, btf.find("event", "struct")!.id);
 *   const ev = decode(record); // { pid: 42, comm: "bash", ts: 123456789n, ... }
 */
export function createDecoder(btf: Btf, typeId: number): Decoder {
  const size = btf.sizeOf(typeId);
  const read = compilePlan(planType(btf, typeId));
  const decode = bindReader(read, size, btf.typeName(typeId));
  return Object.assign(decode, { size, typeId });
}
