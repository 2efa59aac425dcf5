/** `string`: a C string, up to its first NUL. */
import type { LabelDecoder } from "./label-decoder.ts";

export const stringDecoder: LabelDecoder = {
  compile: () => (input) => {
    const end = input.indexOf(0);
    return end < 0 ? input : input.subarray(0, end);
  },
};
