/** `errno`: a decimal errno (from `uint`; negative or positive) to its name, e.g. 2 -> ENOENT. */
import { errnoName } from "@eunomia/loader";
import { decimalInput, textBytes, type LabelDecoder } from "./label-decoder.ts";

export const errnoDecoder: LabelDecoder = {
  compile: () => (input) => {
    const n = decimalInput(input);
    return n === undefined ? input : textBytes(errnoName(n));
  },
};
