/**
 * Source of the epoll worker, kept as text so it runs from a blob: URL. That works the
 * same under `bun run` and inside a `bun build --compile` executable, where a separate
 * worker file would need its own entry point. The worker opens libc itself and makes
 * no callbacks into the main thread's FFI; it flips the shared state word and posts a
 * message on every change the main thread waits for (Bun's Atomics.waitAsync spins a
 * core, so the main thread sleeps on its event loop instead).
 */
import { ARMED, CLOSING, EPOLL_FD, ERROR, EXITED, READY, STATE } from "./poller-protocol.ts";
import { LIBC_NAME } from "./libc.ts";

const EINTR = 4;

/** JavaScript module text for the worker. */
export const POLLER_WORKER_SOURCE = `
import { dlopen, FFIType, read } from "bun:ffi";
const libc = dlopen(${JSON.stringify(LIBC_NAME)}, {
  epoll_wait: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
}).symbols;
const events = new Uint8Array(64);
self.onmessage = (message) => {
  const ctl = message.data;
  const epfd = ctl[${EPOLL_FD}];
  for (;;) {
    const state = Atomics.load(ctl, ${STATE});
    if (state === ${CLOSING}) break;
    if (state !== ${ARMED}) { Atomics.wait(ctl, ${STATE}, state); continue; }
    const n = libc.epoll_wait(epfd, events, 4, -1);
    if (n < 0) {
      const errno = read.i32(libc.__errno_location(), 0);
      if (errno === ${EINTR}) continue;
      Atomics.store(ctl, ${ERROR}, errno);
      break;
    }
    if (n > 0 && Atomics.compareExchange(ctl, ${STATE}, ${ARMED}, ${READY}) === ${ARMED}) {
      Atomics.notify(ctl, ${STATE});
      postMessage(${READY});
    }
  }
  Atomics.store(ctl, ${STATE}, ${EXITED});
  Atomics.notify(ctl, ${STATE});
  postMessage(${EXITED});
  self.onmessage = null;
};
`;
