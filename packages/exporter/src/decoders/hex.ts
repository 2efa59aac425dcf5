/** `hex`: bytes as lower-case hex digits, in memory order. */
import { textBytes, type LabelDecoder } from "./label-decoder.ts";

export const hexDecoder: LabelDecoder = {
  compile: () => (input) => textBytes(Array.from(input, (b) => b.toString(16).padStart(2, "0")).join("")),
};
