/**
 * The label decoder interface (the ebpf_exporter model): a label's slice of a map key
 * passes through a chain of small decoders, each bytes in, bytes out. A decoder may
 * drop the whole series (returns null), as `regexp` does for values it does not match.
 */

/** One step of a chain, already configured. Returns null to drop the series. */
export type DecodeStep = (input: Uint8Array) => Uint8Array | null;

/** A named decoder: checks its options once (at config time) and returns its step. */
export interface LabelDecoder {
  /** Throws {@link DecoderConfigError} for options it cannot use. */
  compile(options: Readonly<Record<string, unknown>>): DecodeStep;
}

/** A decoder's options are wrong; the config reader adds the line and column. */
export class DecoderConfigError extends Error {
  override name = "DecoderConfigError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Text as the bytes a step returns. */
export const textBytes = (text: string): Uint8Array => encoder.encode(text);

/** The bytes a step received, read as text. */
export const bytesText = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Reads an unsigned little-endian integer of any width up to 8 bytes. */
export function readUintLE(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = Math.min(bytes.length, 8) - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/** The decimal integer a previous step (usually `uint`) produced, or undefined. */
export function decimalInput(input: Uint8Array): number | undefined {
  const text = bytesText(input);
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}
