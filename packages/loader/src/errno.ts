/**
 * Linux errno numbers (and libbpf's own 4000+ codes) to their symbolic names and
 * short descriptions, so errors can say "EACCES (permission denied)" without a
 * round trip through libc.
 */

const NAMES: Record<number, readonly [name: string, text: string]> = {
  1: ["EPERM", "operation not permitted"],
  2: ["ENOENT", "no such file or directory"],
  3: ["ESRCH", "no such process"],
  4: ["EINTR", "interrupted system call"],
  5: ["EIO", "input/output error"],
  6: ["ENXIO", "no such device or address"],
  7: ["E2BIG", "argument list too long"],
  8: ["ENOEXEC", "exec format error"],
  9: ["EBADF", "bad file descriptor"],
  11: ["EAGAIN", "resource temporarily unavailable"],
  12: ["ENOMEM", "cannot allocate memory"],
  13: ["EACCES", "permission denied"],
  14: ["EFAULT", "bad address"],
  16: ["EBUSY", "device or resource busy"],
  17: ["EEXIST", "file exists"],
  19: ["ENODEV", "no such device"],
  20: ["ENOTDIR", "not a directory"],
  22: ["EINVAL", "invalid argument"],
  23: ["ENFILE", "too many open files in system"],
  24: ["EMFILE", "too many open files"],
  25: ["ENOTTY", "inappropriate ioctl for device"],
  27: ["EFBIG", "file too large"],
  28: ["ENOSPC", "no space left on device"],
  34: ["ERANGE", "numerical result out of range"],
  38: ["ENOSYS", "function not implemented"],
  40: ["ELOOP", "too many levels of symbolic links"],
  61: ["ENODATA", "no data available"],
  71: ["EPROTO", "protocol error"],
  75: ["EOVERFLOW", "value too large for defined data type"],
  77: ["EBADFD", "file descriptor in bad state"],
  90: ["EMSGSIZE", "message too long"],
  95: ["EOPNOTSUPP", "operation not supported"],
  105: ["ENOBUFS", "no buffer space available"],
  110: ["ETIMEDOUT", "connection timed out"],
  125: ["ECANCELED", "operation canceled"],
  524: ["ENOTSUPP", "operation not supported (kernel)"],
  4000: ["LIBBPF_ERRNO__LIBELF", "something wrong in libelf"],
  4001: ["LIBBPF_ERRNO__FORMAT", "BPF object format invalid"],
  4002: ["LIBBPF_ERRNO__KVERSION", "'version' section incorrect or lost"],
  4003: ["LIBBPF_ERRNO__ENDIAN", "endian mismatch"],
  4004: ["LIBBPF_ERRNO__INTERNAL", "internal error in libbpf"],
  4005: ["LIBBPF_ERRNO__RELOC", "relocation failed"],
  4006: ["LIBBPF_ERRNO__LOAD", "load program failure for unknown reason"],
  4007: ["LIBBPF_ERRNO__VERIFY", "kernel verifier blocks program loading"],
  4008: ["LIBBPF_ERRNO__PROG2BIG", "program too big"],
  4009: ["LIBBPF_ERRNO__KVER", "incorrect kernel version"],
  4010: ["LIBBPF_ERRNO__PROGTYPE", "kernel doesn't support this program type"],
};

/** Well-known errno values used by this package. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EBADF: 9,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ERANGE: 34,
  EOPNOTSUPP: 95,
  /** The kernel's internal "not supported" that BPF calls can return. */
  ENOTSUPP: 524,
} as const;

/**
 * Symbolic name of an errno value (sign ignored), e.g. `errnoName(-13) === "EACCES"`.
 * Unknown values come back as `"E<number>"`.
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return NAMES[n]?.[0] ?? `E${n}`;
}

/** Short lower-case description, e.g. `errnoText(13) === "permission denied"`. */
export function errnoText(errno: number): string {
  const n = Math.abs(errno);
  return NAMES[n]?.[1] ?? `error ${n}`;
}
