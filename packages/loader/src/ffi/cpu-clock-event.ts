/**
 * perf_event_open(2) for sampling: a software CPU clock on one CPU (every process)
 * that fires at a given frequency, for `SEC("perf_event")` programs.
 */
import { LibbpfError } from "../errors.ts";
import { lastErrno, libc } from "./libc.ts";

const SYS_PERF_EVENT_OPEN: Partial<Record<string, number>> = { x64: 298, arm64: 241 };
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_CPU_CLOCK = 0;
const PERF_FLAG_FD_CLOEXEC = 1 << 3;
const PERF_ATTR_SIZE_VER0 = 64;
const ATTR_FREQ = 1n << 10n; // bit 10 of the flags word: sample_freq instead of sample_period

/**
 * Opens a CPU clock event on `cpu` for any process, sampling `frequency` times a
 * second. Returns the fd (close-on-exec); attaching a program through libbpf hands
 * the fd to the link, which closes it. Throws {@link LibbpfError} with the syscall's
 * errno (ENODEV for an offline CPU, EINVAL for a frequency above
 * kernel.perf_event_max_sample_rate).
 */
export function openCpuClockEvent(cpu: number, frequency: number): number {
  const nr = SYS_PERF_EVENT_OPEN[process.arch];
  const op = `perf_event_open (cpu clock at ${frequency} Hz, cpu ${cpu})`;
  if (nr === undefined) throw new LibbpfError(op, 38, { detail: `no syscall number known for ${process.arch}` });
  const attr = new Uint8Array(PERF_ATTR_SIZE_VER0);
  const view = new DataView(attr.buffer);
  view.setUint32(0, PERF_TYPE_SOFTWARE, true); // type
  view.setUint32(4, PERF_ATTR_SIZE_VER0, true); // size
  view.setBigUint64(8, BigInt(PERF_COUNT_SW_CPU_CLOCK), true); // config
  view.setBigUint64(16, BigInt(frequency), true); // sample_freq (union with sample_period)
  view.setBigUint64(40, ATTR_FREQ, true);
  const fd = Number(libc().syscall(BigInt(nr), attr, -1, cpu, -1, BigInt(PERF_FLAG_FD_CLOEXEC)));
  if (fd < 0) throw new LibbpfError(op, lastErrno() || 22);
  return fd;
}
