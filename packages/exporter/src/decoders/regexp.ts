/** `regexp`: keeps the series only when the text matches one of the `regexps`; drops it otherwise. */
import { bytesText, DecoderConfigError, type LabelDecoder } from "./label-decoder.ts";

export const regexpDecoder: LabelDecoder = {
  compile(options) {
    const list = options.regexps;
    if (!Array.isArray(list) || list.length === 0 || !list.every((r) => typeof r === "string")) {
      throw new DecoderConfigError("regexp needs `regexps`: a list of regular expressions");
    }
    const patterns = list.map((source: string) => {
      try {
        return new RegExp(source);
      } catch (err) {
        throw new DecoderConfigError(`bad regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
      }
    });
    return (input) => {
      const text = bytesText(input);
      return patterns.some((p) => p.test(text)) ? input : null;
    };
  },
};
