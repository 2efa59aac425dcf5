/**
 * The files a module may open: none, unless one host directory is granted. The
 * directory is preopened as fd 3 under the name the user gave; paths are resolved
 * inside it and may not leave it (no "..", no absolute paths, no symlink escape).
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, writeSync, constants as fsc } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import * as W from "./wasi-constants.ts";

/** An open file of the module: a host fd and its position. */
interface OpenFile {
  hostFd: number;
  position: number;
  append: boolean;
}

const FIRST_FILE_FD = 4;

/** A WASI errno, or a value. */
export type Result<T> = { errno: number } | { value: T };

/** The granted directory (if any) and the files opened in it. */
export class GrantedFiles {
  /** The guest's name of the granted directory (its preopen). */
  readonly guestPath: string | undefined;
  readonly #root: string | undefined;
  readonly #files = new Map<number, OpenFile>();
  #nextFd = FIRST_FILE_FD;

  /** `dir`: the host directory to grant (throws if it is not a directory), or undefined for none. */
  constructor(dir?: string) {
    if (dir === undefined) return;
    this.#root = realpathSync(dir);
    if (!fstatIsDir(this.#root)) throw new Error(`${dir} is not a directory`);
    this.guestPath = dir;
  }

  /** True for fd 3 when a directory is granted. */
  isPreopen(fd: number): boolean {
    return fd === 3 && this.#root !== undefined;
  }

  isFile(fd: number): boolean {
    return this.#files.has(fd);
  }

  /** Opens `path` relative to the granted directory; returns the new guest fd. */
  open(dirFd: number, path: string, oflags: number, rights: bigint, fdflags: number): Result<number> {
    if (!this.isPreopen(dirFd)) return { errno: W.ERRNO_BADF };
    const root = this.#root!;
    if (isAbsolute(path) || path.includes("\0")) return { errno: W.ERRNO_NOTCAPABLE };
    const target = normalize(join(root, path));
    if (!inside(root, target)) return { errno: W.ERRNO_NOTCAPABLE };
    // A symlinked directory on the way must not lead outside either.
    try {
      if (target !== root && !inside(root, realpathSync(dirname(target)))) return { errno: W.ERRNO_NOTCAPABLE };
    } catch (err) {
      return { errno: errnoOf(err) };
    }
    let flags = (rights & W.RIGHT_FD_WRITE) !== 0n ? ((rights & W.RIGHT_FD_READ) !== 0n ? fsc.O_RDWR : fsc.O_WRONLY) : fsc.O_RDONLY;
    if (oflags & W.OFLAG_CREAT) flags |= fsc.O_CREAT;
    if (oflags & W.OFLAG_EXCL) flags |= fsc.O_EXCL;
    if (oflags & W.OFLAG_TRUNC) flags |= fsc.O_TRUNC;
    if (oflags & W.OFLAG_DIRECTORY) flags |= fsc.O_DIRECTORY;
    flags |= fsc.O_NOFOLLOW;
    let hostFd: number;
    try {
      hostFd = openSync(target, flags, 0o644);
    } catch (err) {
      return { errno: errnoOf(err) };
    }
    const fd = this.#nextFd++;
    this.#files.set(fd, { hostFd, position: 0, append: (fdflags & W.FDFLAG_APPEND) !== 0 });
    return { value: fd };
  }

  read(fd: number, into: Uint8Array): Result<number> {
    const f = this.#files.get(fd);
    if (!f) return { errno: W.ERRNO_BADF };
    try {
      const n = readSync(f.hostFd, into, 0, into.length, f.position);
      f.position += n;
      return { value: n };
    } catch (err) {
      return { errno: errnoOf(err) };
    }
  }

  write(fd: number, bytes: Uint8Array): Result<number> {
    const f = this.#files.get(fd);
    if (!f) return { errno: W.ERRNO_BADF };
    try {
      if (f.append) f.position = fstatSync(f.hostFd).size;
      const n = writeSync(f.hostFd, bytes, 0, bytes.length, f.position);
      f.position += n;
      return { value: n };
    } catch (err) {
      return { errno: errnoOf(err) };
    }
  }

  seek(fd: number, offset: bigint, whence: number): Result<bigint> {
    const f = this.#files.get(fd);
    if (!f) return { errno: W.ERRNO_BADF };
    const base = whence === W.WHENCE_SET ? 0 : whence === W.WHENCE_CUR ? f.position : whence === W.WHENCE_END ? fstatSync(f.hostFd).size : NaN;
    const next = Number(offset) + base;
    if (!Number.isFinite(next) || next < 0) return { errno: W.ERRNO_INVAL };
    f.position = next;
    return { value: BigInt(next) };
  }

  /** Size of an open file. */
  size(fd: number): Result<bigint> {
    const f = this.#files.get(fd);
    if (!f) return { errno: W.ERRNO_BADF };
    return { value: BigInt(fstatSync(f.hostFd).size) };
  }

  close(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return W.ERRNO_BADF;
    this.#files.delete(fd);
    closeSync(f.hostFd);
    return W.ERRNO_SUCCESS;
  }

  /** Closes every file the module left open. */
  closeAll(): void {
    for (const fd of [...this.#files.keys()]) this.close(fd);
  }
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function fstatIsDir(path: string): boolean {
  const fd = openSync(path, fsc.O_RDONLY);
  try {
    return fstatSync(fd).isDirectory();
  } finally {
    closeSync(fd);
  }
}

function errnoOf(err: unknown): number {
  switch ((err as NodeJS.ErrnoException).code) {
    case "ENOENT": return W.ERRNO_NOENT;
    case "EACCES": case "EPERM": return W.ERRNO_ACCES;
    case "EEXIST": return W.ERRNO_EXIST;
    case "EISDIR": return W.ERRNO_ISDIR;
    case "ENOTDIR": return W.ERRNO_NOTDIR;
    case "ELOOP": return W.ERRNO_NOTCAPABLE;
    default: return W.ERRNO_IO;
  }
}
