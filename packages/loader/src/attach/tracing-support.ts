/**
 * Whether this kernel loads fentry/fexit programs, found once by loading a two-
 * instruction fentry program against a kernel function (and closing it at once).
 */
import { libbpf } from "../ffi/libbpf.ts";
import { closeFd } from "../ffi/perf-event.ts";
import { toCString } from "../ffi/memory.ts";

const BPF_PROG_TYPE_TRACING = 26;
const BPF_TRACE_FENTRY = 24;
// struct bpf_prog_load_opts through attach_btf_obj_fd: sz, attempts, expected_attach_type,
// prog_btf_fd, prog_flags, prog_ifindex, kern_version, attach_btf_id, attach_prog_fd, attach_btf_obj_fd.
const LOAD_OPTS_BYTES = 48;
// r0 = 0; exit
const RETURN_ZERO = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

const cache = new Map<string, boolean>();

/**
 * True when a fentry program on kernel function `func` loads here. Needs CAP_BPF;
 * false also when `func` is not in vmlinux BTF. The answer is cached per function.
 *
 * @example
 * if (!fentryLoads("do_unlinkat")) obj.setAutoload("fentry_unlink", false);
 */
export function fentryLoads(func: string): boolean {
  const known = cache.get(func);
  if (known !== undefined) return known;
  const lib = libbpf();
  const btfId = lib.libbpf_find_vmlinux_btf_id(toCString(func), BPF_TRACE_FENTRY);
  let ok = false;
  if (btfId > 0) {
    const opts = new Uint8Array(LOAD_OPTS_BYTES);
    const view = new DataView(opts.buffer);
    view.setBigUint64(0, BigInt(LOAD_OPTS_BYTES), true);
    view.setUint32(12, BPF_TRACE_FENTRY, true);
    view.setUint32(32, btfId, true);
    const fd = lib.bpf_prog_load(BPF_PROG_TYPE_TRACING, toCString("eunomia_probe"), toCString("GPL"), RETURN_ZERO, 2, opts);
    if (fd >= 0) {
      closeFd(fd);
      ok = true;
    }
  }
  cache.set(func, ok);
  return ok;
}
