/**
 * A TC (clsact) filter attached through netlink with libbpf's bpf_tc_* API. The
 * clsact qdisc is created when missing and then also removed on detach.
 */
import { Errno } from "../errno.ts";
import { AttachError } from "../errors.ts";
import { libbpf } from "../ffi/libbpf.ts";
import { BPF_TC_EGRESS, BPF_TC_INGRESS, type TcOptions } from "./attach-options.ts";

const { EEXIST } = Errno;
const HOOK_BYTES = 24; // struct bpf_tc_hook { size_t sz; int ifindex; int attach_point; u32 parent; }
const OPTS_BYTES = 32; // struct bpf_tc_opts { size_t sz; int prog_fd; u32 flags, prog_id, handle, priority; }

function hook(ifindex: number, attachPoint: number): Uint8Array {
  const bytes = new Uint8Array(HOOK_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(HOOK_BYTES), true);
  view.setInt32(8, ifindex, true);
  view.setUint32(12, attachPoint, true);
  return bytes;
}

function tcOpts(progFd: number, handle: number, priority: number): Uint8Array {
  const bytes = new Uint8Array(OPTS_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(OPTS_BYTES), true);
  view.setInt32(8, progFd, true);
  view.setUint32(20, handle, true);
  view.setUint32(24, priority, true);
  return bytes;
}

/**
 * Attaches program fd `progFd` as a direct-action TC filter and returns the undo,
 * which removes the filter (and the qdisc if this call created it). Needs
 * CAP_NET_ADMIN. Throws {@link AttachError} (`op` names the program); nothing is
 * left behind on failure.
 */
export function attachTc(op: string, progFd: number, options: TcOptions): () => void {
  const lib = libbpf();
  const point = options.attachPoint ?? BPF_TC_INGRESS;
  if (point !== BPF_TC_INGRESS && point !== BPF_TC_EGRESS) {
    throw new AttachError(op, 22, { detail: `attach point ${point} is neither ingress (1) nor egress (2)` });
  }
  const pointHook = hook(options.ifindex, point);
  const created = lib.bpf_tc_hook_create(pointHook);
  if (created < 0 && -created !== EEXIST) throw new AttachError(op, -created, { detail: `create clsact qdisc on ifindex ${options.ifindex}` });
  const removeQdisc = () => {
    if (created === 0) lib.bpf_tc_hook_destroy(hook(options.ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
  };
  const opts = tcOpts(progFd, options.handle ?? 0, options.priority ?? 0);
  const rc = lib.bpf_tc_attach(pointHook, opts);
  if (rc < 0) {
    removeQdisc();
    throw new AttachError(op, -rc, { detail: `tc filter on ifindex ${options.ifindex}` });
  }
  // bpf_tc_attach wrote back the handle and priority the kernel chose; detach names them only.
  const view = new DataView(opts.buffer);
  const handle = view.getUint32(20, true);
  const priority = view.getUint32(24, true);
  return () => {
    lib.bpf_tc_detach(pointHook, tcOpts(0, handle, priority));
    removeQdisc();
  };
}
