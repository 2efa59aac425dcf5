/**
 * Declarations of the kernel's kfuncs for vmlinux.h. bpftool 7.3 and later append them
 * (programs such as libbpf-tools' sigsnoop call `bpf_task_from_pid` without declaring
 * it); Debian 12's bpftool 7.1 does not, so they are written here from the same BTF:
 * every FUNC carrying the `bpf_kfunc` decl tag, as a weak `.ksyms` extern. A program
 * that declares kfuncs itself with other types defines `BPF_NO_KFUNC_PROTOTYPES`, as
 * with bpftool's vmlinux.h.
 */
import { parseBtf, type Btf } from "@eunomia/decoder";

/**
 * The C text to append to vmlinux.h for the kfuncs in `btf` (raw BTF, e.g.
 * /sys/kernel/btf/vmlinux): "" when there are none. Functions whose C spelling
 * cannot be written as a plain prototype (a function-pointer return) are left out.
 * @throws BtfError from the decoder when `btf` is not valid BTF.
 * @example kfuncPrototypes(readFileSync("/sys/kernel/btf/vmlinux"))
 *   // "...extern struct task_struct *bpf_task_from_pid(s32) __attribute__((weak, section(\".ksyms\")));..."
 */
export function kfuncPrototypes(btfBytes: Uint8Array): string {
  const btf = parseBtf(btfBytes);
  const ids = new Set<number>();
  for (const t of btf.types) if (t.kind === "decl_tag" && t.name === "bpf_kfunc" && t.componentIdx === -1) ids.add(t.typeId);
  const lines: string[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const line = prototype(btf, id);
    if (line) lines.push(line);
  }
  if (lines.length === 0) return "";
  return [
    "",
    "#ifndef __EUNOMIA_VMLINUX_KFUNCS__",
    "#define __EUNOMIA_VMLINUX_KFUNCS__",
    "#ifndef BPF_NO_KFUNC_PROTOTYPES",
    "/* kfuncs of this kernel (decl tag bpf_kfunc), written by @eunomia/compiler. */",
    ...lines,
    "#endif",
    "#endif",
    "",
  ].join("\n");
}

function prototype(btf: Btf, funcId: number): string | undefined {
  const func = btf.types[funcId];
  if (func?.kind !== "func") return undefined;
  const proto = btf.types[func.typeId];
  if (proto?.kind !== "func_proto") return undefined;
  const ret = btf.typeName(proto.returnTypeId);
  if (ret.includes("(")) return undefined;
  const params = proto.params.map((p) => (p.typeId === 0 ? "..." : btf.typeName(p.typeId)));
  const space = ret.endsWith("*") ? "" : " ";
  return `extern ${ret}${space}${func.name}(${params.join(", ") || "void"}) __attribute__((weak, section(".ksyms")));`;
}
