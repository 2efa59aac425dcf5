/**
 * Typed errors of the decoder. Each carries a one-line message that says what is wrong
 * and where; callers can tell them apart with `instanceof` or by `name`.
 */

/** Base class of every error the decoder throws on bad input. */
export class DecoderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bytes are not a well-formed little-endian ELF64 file. */
export class ElfError extends DecoderError {}

/** The BTF blob is missing or malformed, or a type id/name is not what the caller expects. */
export class BtfError extends DecoderError {}

/** A record cannot be decoded: too short, or its type cannot be represented. */
export class DecodeError extends DecoderError {}

/** A command-line value does not fit the C type it is meant for. */
export class EncodeError extends DecoderError {}

/** Symbol input (`/proc/kallsyms`, `/proc/<pid>/maps` text) is malformed. */
export class SymbolError extends DecoderError {}
