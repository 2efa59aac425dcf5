/** `syscall`: a decimal x86_64 syscall number (from `uint`) to its name, e.g. 0 -> read. */
import { decimalInput, textBytes, type LabelDecoder } from "./label-decoder.ts";
import { X86_64_SYSCALLS } from "./syscall-table.ts";

export const syscallDecoder: LabelDecoder = {
  compile: () => (input) => {
    const n = decimalInput(input);
    if (n === undefined) return input;
    return textBytes(X86_64_SYSCALLS[n] ?? `unknown_syscall_${n}`);
  },
};
