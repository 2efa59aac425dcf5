/** Label decoders by name, and the chain that runs a label's decoders in order. */
import { errnoDecoder } from "./errno.ts";
import { hexDecoder } from "./hex.ts";
import { inetIpDecoder } from "./inet-ip.ts";
import { ksymDecoder } from "./ksym.ts";
import { DecoderConfigError, type DecodeStep, type LabelDecoder } from "./label-decoder.ts";
import { regexpDecoder } from "./regexp.ts";
import { staticMapDecoder } from "./static-map.ts";
import { stringDecoder } from "./string.ts";
import { syscallDecoder } from "./syscall.ts";
import { uintDecoder } from "./uint.ts";

/** Every decoder a label may name. */
export const LABEL_DECODERS: Readonly<Record<string, LabelDecoder>> = {
  uint: uintDecoder,
  string: stringDecoder,
  hex: hexDecoder,
  ksym: ksymDecoder,
  static_map: staticMapDecoder,
  regexp: regexpDecoder,
  inet_ip: inetIpDecoder,
  errno: errnoDecoder,
  syscall: syscallDecoder,
};

/** A decoder as the config names it: `name` plus its own options. */
export interface DecoderSpec {
  name: string;
  options: Readonly<Record<string, unknown>>;
}

/**
 * Compiles a label's decoders into one step. Throws {@link DecoderConfigError} for an
 * unknown decoder name or options a decoder rejects.
 *
 * @example
 * const decode = compileChain([{ name: "uint", options: {} }, { name: "syscall", options: {} }]);
 * new TextDecoder().decode(decode(new Uint8Array([0, 0, 0, 0]))!); // "read"
 */
export function compileChain(specs: readonly DecoderSpec[]): DecodeStep {
  const steps = specs.map((spec) => {
    const decoder = Object.hasOwn(LABEL_DECODERS, spec.name) ? LABEL_DECODERS[spec.name] : undefined;
    if (!decoder) throw new DecoderConfigError(`unknown decoder ${JSON.stringify(spec.name)} (decoders: ${Object.keys(LABEL_DECODERS).join(", ")})`);
    return decoder.compile(spec.options);
  });
  return (input) => {
    let value: Uint8Array | null = input;
    for (const step of steps) {
      value = step(value);
      if (value === null) return null;
    }
    return value;
  };
}
