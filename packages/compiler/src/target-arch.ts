import { CompileError } from "./errors.ts";

// process.arch -> the suffix libbpf's bpf_tracing.h expects in __TARGET_ARCH_<arch>.
const ARCH_MACRO: Record<string, string> = {
  x64: "x86",
  arm64: "arm64",
  arm: "arm",
  s390x: "s390",
  ppc64: "powerpc",
  riscv64: "riscv",
  loong64: "loongarch",
  mips: "mips",
  mipsel: "mips",
};

/**
 * The `__TARGET_ARCH_*` suffix for a Node/Bun architecture name.
 * @throws CompileError (stage "tool") for an architecture libbpf has no macro for.
 * @example targetArch("x64") // "x86"
 */
export function targetArch(arch: string = process.arch): string {
  const macro = ARCH_MACRO[arch];
  if (!macro) throw new CompileError("tool", `unsupported host architecture ${arch}: no __TARGET_ARCH_ macro for it`);
  return macro;
}
