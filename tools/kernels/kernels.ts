/**
 * The kernels of the matrix. "native" is this machine's kernel; every other entry boots
 * in QEMU (TCG) from a kernel image: a Debian package name (fetched into the cache by
 * prepare-kernel.sh), "linux-image-6.1-newest", or a path to a bzImage/vmlinuz file.
 * To add a kernel, add an entry here (see docs/kernels.md).
 */

/** Attach kinds a kernel may refuse; the checks expect the clear error on those. */
export type RefusableKind = "kprobe" | "kretprobe" | "fentry" | "fexit" | "lsm";

export interface MatrixKernel {
  /** Test-name prefix, e.g. "debian-6.1". */
  name: string;
  /** "native", or the kernel image to boot in QEMU. */
  image: "native" | string;
  /** The kinds this kernel refuses (kprobes compiled out, trampolines or BPF LSM refused). */
  refuses: RefusableKind[];
  /** Seconds before the run is killed and reported as failed. */
  timeoutSeconds: number;
}

export const MATRIX: MatrixKernel[] = [
  // This VM: CONFIG_KPROBES is off and fentry/fexit/LSM programs are refused with EPERM.
  { name: "native", image: "native", refuses: ["kprobe", "kretprobe", "fentry", "fexit", "lsm"], timeoutSeconds: 180 },
  // Debian 12's kernel: everything attaches (BPF LSM enabled by the boot parameters).
  { name: "debian-6.1", image: "linux-image-6.1-newest", refuses: [], timeoutSeconds: 240 },
];

/**
 * The kernels to run: all of MATRIX, or those named in `env` ($KERNELS: comma-separated, e.g.
 * KERNELS=debian-6.1) to run a part of it.
 */
export function selectedKernels(env: string | undefined): MatrixKernel[] {
  if (!env) return MATRIX;
  const names = env.split(",").map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !MATRIX.some((k) => k.name === n));
  if (unknown.length) throw new Error(`KERNELS names unknown kernels: ${unknown.join(", ")} (known: ${MATRIX.map((k) => k.name).join(", ")})`);
  return MATRIX.filter((k) => names.includes(k.name));
}
