/** `uint`: little-endian unsigned bytes (1 to 8 of them) to decimal text. */
import { DecoderConfigError, readUintLE, textBytes, type LabelDecoder } from "./label-decoder.ts";

export const uintDecoder: LabelDecoder = {
  compile: () => (input) => {
    if (input.length === 0 || input.length > 8) throw new DecoderConfigError(`uint takes 1 to 8 bytes, not ${input.length}`);
    return textBytes(readUintLE(input).toString());
  },
};
