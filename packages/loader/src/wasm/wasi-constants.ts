/** The WASI preview1 numbers this host uses (errno, file types, rights, flags). */

export const ERRNO_SUCCESS = 0;
export const ERRNO_ACCES = 2;
export const ERRNO_BADF = 8;
export const ERRNO_EXIST = 20;
export const ERRNO_INVAL = 28;
export const ERRNO_IO = 29;
export const ERRNO_ISDIR = 31;
export const ERRNO_NOENT = 44;
export const ERRNO_NOSYS = 52;
export const ERRNO_NOTDIR = 54;
export const ERRNO_PIPE = 64;
export const ERRNO_SPIPE = 70;
export const ERRNO_NOTCAPABLE = 76;

export const FILETYPE_CHARACTER_DEVICE = 2;
export const FILETYPE_DIRECTORY = 3;
export const FILETYPE_REGULAR_FILE = 4;

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME = 2;
export const CLOCK_THREAD_CPUTIME = 3;

export const RIGHT_FD_READ = 1n << 1n;
export const RIGHT_FD_SEEK = 1n << 2n;
export const RIGHT_FD_TELL = 1n << 5n;
export const RIGHT_FD_WRITE = 1n << 6n;
export const RIGHT_PATH_OPEN = 1n << 13n;
/** Every right: what a granted directory and the files opened in it may do. */
export const RIGHTS_ALL = (1n << 30n) - 1n;
/** stdin/stdout/stderr: a terminal-like stream (wasi-libc then line-buffers stdout). */
export const RIGHTS_STDIO = RIGHT_FD_READ | RIGHT_FD_WRITE;

export const OFLAG_CREAT = 1;
export const OFLAG_DIRECTORY = 2;
export const OFLAG_EXCL = 4;
export const OFLAG_TRUNC = 8;
export const FDFLAG_APPEND = 1;

export const WHENCE_SET = 0;
export const WHENCE_CUR = 1;
export const WHENCE_END = 2;

export const EVENTTYPE_CLOCK = 0;
export const SUBCLOCKFLAG_ABSTIME = 1;
