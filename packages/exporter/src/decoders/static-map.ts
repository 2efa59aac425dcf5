/**
 * `static_map`: replaces the text from the previous step by its entry in the
 * `static_map` option (`{1: read, 2: write}`); a value with no entry becomes
 * `unknown`, or stays as it is with `allow_unknown: true`.
 */
import { bytesText, DecoderConfigError, textBytes, type LabelDecoder } from "./label-decoder.ts";

export const staticMapDecoder: LabelDecoder = {
  compile(options) {
    const table = options.static_map;
    if (table === null || typeof table !== "object" || Array.isArray(table)) {
      throw new DecoderConfigError("static_map needs a `static_map` mapping of values to labels");
    }
    const entries = new Map(Object.entries(table).map(([k, v]) => [k, textBytes(String(v))]));
    const keepUnknown = options.allow_unknown === true;
    const unknown = textBytes("unknown");
    return (input) => entries.get(bytesText(input)) ?? (keepUnknown ? input : unknown);
  },
};
