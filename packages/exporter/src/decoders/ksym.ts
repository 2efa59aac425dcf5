/**
 * `ksym`: an 8-byte little-endian kernel address to the name of the function it is in,
 * from /proc/kallsyms (read once, on first use), or `0x<address>` when none matches.
 */
import { readFileSync } from "node:fs";
import { parseKallsyms, type KernelSymbols } from "@eunomia/decoder";
import { DecoderConfigError, readUintLE, textBytes, type LabelDecoder } from "./label-decoder.ts";

let kernelSymbols: KernelSymbols | undefined;

/** The symbol table ksym uses; tests may hand in their own. */
export function setKernelSymbols(table: KernelSymbols | undefined): void {
  kernelSymbols = table;
}

function symbols(): KernelSymbols {
  kernelSymbols ??= parseKallsyms(readFileSync("/proc/kallsyms", "utf8"));
  return kernelSymbols;
}

export const ksymDecoder: LabelDecoder = {
  compile: () => (input) => {
    if (input.length !== 8) throw new DecoderConfigError(`ksym takes an 8-byte address, not ${input.length} bytes`);
    const address = readUintLE(input);
    return textBytes(symbols().lookup(address)?.name ?? `0x${address.toString(16)}`);
  },
};
