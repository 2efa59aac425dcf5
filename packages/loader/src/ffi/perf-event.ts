/**
 * perf_event_open(2) for the BPF output events behind a perf event array, and the
 * ioctls that switch them on and off. libc has no wrapper, so the raw syscall is used.
 */
import { LibbpfError } from "../errors.ts";
import { lastErrno, libc } from "./libc.ts";

/** `__NR_perf_event_open` per architecture (include/uapi/asm-generic/unistd.h for arm64). */
const SYS_PERF_EVENT_OPEN: Partial<Record<string, number>> = { x64: 298, arm64: 241 };

const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_BPF_OUTPUT = 10;
const PERF_SAMPLE_RAW = 1 << 10;
const PERF_FLAG_FD_CLOEXEC = 1 << 3;
/** The first published `struct perf_event_attr`; every field we set is in it. */
const PERF_ATTR_SIZE_VER0 = 64;
const ATTR_DISABLED = 1n; // bit 0 of the flags word at offset 40
const PERF_EVENT_IOC_ENABLE = 0x2400n; // _IO('$', 0)
const PERF_EVENT_IOC_DISABLE = 0x2401n; // _IO('$', 1)

/**
 * Opens a disabled PERF_COUNT_SW_BPF_OUTPUT event on `cpu` (any process) that records
 * each bpf_perf_event_output() as a PERF_RECORD_SAMPLE with raw data and wakes pollers
 * on every sample. Returns the fd (close-on-exec). Throws {@link LibbpfError} with
 * the syscall's errno (EACCES without CAP_PERFMON, ENODEV for an offline CPU).
 */
export function openBpfOutputEvent(cpu: number): number {
  const nr = SYS_PERF_EVENT_OPEN[process.arch];
  const op = `perf_event_open (bpf output, cpu ${cpu})`;
  if (nr === undefined) throw new LibbpfError(op, 38, { detail: `no syscall number known for ${process.arch}` });
  const attr = new Uint8Array(PERF_ATTR_SIZE_VER0);
  const view = new DataView(attr.buffer);
  view.setUint32(0, PERF_TYPE_SOFTWARE, true); // type
  view.setUint32(4, PERF_ATTR_SIZE_VER0, true); // size
  view.setBigUint64(8, BigInt(PERF_COUNT_SW_BPF_OUTPUT), true); // config
  view.setBigUint64(16, 1n, true); // sample_period: every output is a sample
  view.setBigUint64(24, BigInt(PERF_SAMPLE_RAW), true); // sample_type
  view.setBigUint64(40, ATTR_DISABLED, true); // enabled once its map slot is set
  view.setUint32(48, 1, true); // wakeup_events: wake after every sample
  const fd = Number(libc().syscall(BigInt(nr), attr, -1, cpu, -1, BigInt(PERF_FLAG_FD_CLOEXEC)));
  if (fd < 0) throw new LibbpfError(op, lastErrno() || 22);
  return fd;
}

/** Starts counting on a perf event fd. Throws {@link LibbpfError}. */
export function enablePerfEvent(fd: number): void {
  if (libc().ioctl(fd, PERF_EVENT_IOC_ENABLE, 0n) < 0) {
    throw new LibbpfError(`enable perf event fd ${fd}`, lastErrno() || 22);
  }
}

/** Stops counting on a perf event fd; errors are ignored (used while tearing down). */
export function disablePerfEvent(fd: number): void {
  libc().ioctl(fd, PERF_EVENT_IOC_DISABLE, 0n);
}

/** Closes a file descriptor this package opened. */
export function closeFd(fd: number): void {
  libc().close(fd);
}
