/**
 * Wraps a compiled reader into the public `(bytes, offset?)` shape: checks the record
 * is long enough, then reuses DataView/Uint8Array views of the backing buffer.
 */
import { DecodeError } from "../errors.ts";

/** Reader over an absolute byte offset `b` of the views' buffer. */
export type RawReader<T> = (dv: DataView, u8: Uint8Array, b: number) => T;

/** Binds `read` (for a `size`-byte type called `name`) to Uint8Array records. */
export function bindReader<T>(read: RawReader<T>, size: number, name: string): (bytes: Uint8Array, offset?: number) => T {
  // Records usually share one buffer (a ring buffer's pages): keep its views between calls.
  let buffer: ArrayBufferLike | undefined;
  let dv: DataView = new DataView(new ArrayBuffer(0));
  let u8: Uint8Array = new Uint8Array(0);
  return (bytes: Uint8Array, offset = 0): T => {
    if (!(offset >= 0 && offset + size <= bytes.length) || !Number.isInteger(offset)) {
      throw new DecodeError(`record too short for ${name}: need ${size} bytes at offset ${offset}, have ${bytes.length}`);
    }
    if (bytes.buffer !== buffer) {
      buffer = bytes.buffer;
      dv = new DataView(buffer);
      u8 = new Uint8Array(buffer);
    }
    return read(dv, u8, bytes.byteOffset + offset);
  };
}
