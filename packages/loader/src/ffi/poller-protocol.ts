/**
 * The shared-memory protocol between the main thread and the epoll worker. Lives in
 * an Int32Array over a SharedArrayBuffer; the worker only ever moves ARMED -> READY and
 * CLOSING -> EXITED, the main thread does every other transition.
 */

/** Index of the state word. */
export const STATE = 0;
/** Index where the worker leaves an errno if epoll_wait failed for good. */
export const ERROR = 1;
/** Index of the epoll fd the worker waits on. */
export const EPOLL_FD = 2;
/** Number of Int32 slots. */
export const SLOTS = 3;

/** Nobody is polling; the main thread is (or may be) draining. */
export const IDLE = 0;
/** The worker is (about to be) blocked in epoll_wait. */
export const ARMED = 1;
/** epoll reported readiness; the worker waits until the main thread re-arms. */
export const READY = 2;
/** The main thread asked the worker to stop. */
export const CLOSING = 3;
/** The worker has left its loop and touches no fd any more. */
export const EXITED = 4;
