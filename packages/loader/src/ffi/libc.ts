/**
 * The few libc functions the runtime needs, opened lazily on first use.
 * Each entry notes its C signature.
 */
import { dlopen, FFIType, read, type Library } from "bun:ffi";
import { LibbpfError } from "../errors.ts";

const LIBC_SYMBOLS = {
  // int vsnprintf(char *str, size_t size, const char *format, va_list ap)
  vsnprintf: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int *__errno_location(void)
  __errno_location: { args: [], returns: FFIType.ptr },
  // int getpagesize(void)
  getpagesize: { args: [], returns: FFIType.i32 },
  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
  mmap: {
    args: [FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i64],
    returns: FFIType.i64,
  },
  // int munmap(void *addr, size_t length)
  munmap: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
  // int epoll_create1(int flags)
  epoll_create1: { args: [FFIType.i32], returns: FFIType.i32 },
  // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
  epoll_ctl: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  // int eventfd(unsigned int initval, int flags)
  eventfd: { args: [FFIType.u32, FFIType.i32], returns: FFIType.i32 },
  // ssize_t write(int fd, const void *buf, size_t count)
  write: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout): a blocking wait (WebAssembly host calls are synchronous)
  poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  // int close(int fd)
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  // long syscall(long number, ...): bound with the five arguments perf_event_open takes
  syscall: {
    args: [FFIType.i64, FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.u64],
    returns: FFIType.i64,
  },
  // int ioctl(int fd, unsigned long request, ...): bound with one integer argument
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
} as const;

/** The soname of the C library; glibc and musl-on-glibc-compat both answer to it. */
export const LIBC_NAME = "libc.so.6";

let opened: Library<typeof LIBC_SYMBOLS> | undefined;

/** The libc bindings; dlopens on the first call. Throws {@link LibbpfError} if libc cannot be opened. */
export function libc(): Library<typeof LIBC_SYMBOLS>["symbols"] {
  if (!opened) {
    try {
      opened = dlopen(LIBC_NAME, LIBC_SYMBOLS);
    } catch (cause) {
      throw new LibbpfError(`dlopen ${LIBC_NAME}`, 2, { detail: String(cause), cause });
    }
  }
  return opened.symbols;
}

/** The calling thread's errno. Read it straight after the failing call. */
export function lastErrno(): number {
  const location = libc().__errno_location();
  return location === null ? 0 : read.i32(location, 0);
}
