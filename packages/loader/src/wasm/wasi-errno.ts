/**
 * Host errno values in the numbering the module's <errno.h> uses. A wasm32-wasi module
 * compares results with WASI's constants (EINTR is 27 there, not Linux's 4), so the
 * negative errno values the `wasm_bpf` calls return are translated.
 */

// Linux errno -> WASI preview1 errno.
const LINUX_TO_WASI = new Map<number, number>([
  [1, 63], // EPERM
  [2, 44], // ENOENT
  [3, 71], // ESRCH
  [4, 27], // EINTR
  [5, 29], // EIO
  [6, 60], // ENXIO
  [7, 1], // E2BIG
  [8, 45], // ENOEXEC
  [9, 8], // EBADF
  [11, 6], // EAGAIN
  [12, 48], // ENOMEM
  [13, 2], // EACCES
  [14, 21], // EFAULT
  [16, 10], // EBUSY
  [17, 20], // EEXIST
  [19, 43], // ENODEV
  [20, 54], // ENOTDIR
  [22, 28], // EINVAL
  [28, 51], // ENOSPC
  [34, 68], // ERANGE
  [38, 52], // ENOSYS
  [40, 32], // ELOOP
  [75, 61], // EOVERFLOW
  [95, 58], // EOPNOTSUPP
  [524, 58], // ENOTSUPP (kernel-internal)
]);

/** WASI's EIO: the answer for a Linux errno WASI has no name for. */
const WASI_EIO = 29;

/** `-errno` (Linux, positive errno given) as the module's negative errno. */
export function wasiError(linuxErrno: number): number {
  return -(LINUX_TO_WASI.get(Math.abs(linuxErrno)) ?? WASI_EIO);
}
