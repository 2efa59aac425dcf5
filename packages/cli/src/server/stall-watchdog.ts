/**
 * `ecli server --stall-limit SECONDS`: a last resort against a task that keeps the
 * server's one thread busy for ever (a WebAssembly module looping without calling the
 * host cannot be interrupted: WebAssembly is not preemptible here, and not even
 * Worker.terminate() stops it). The event loop bumps a shared counter; a worker thread
 * watches it, and when the loop has not turned for the limit, it says so in one line and
 * kills the process, so the kernel frees every task's programs, maps and links (all held
 * by file descriptors) instead of leaving them attached to a server that answers nothing.
 */

/** How often the event loop shows it turns, and how often the watchdog looks. */
const BEAT_MS = 250;
// Shared words: the event loop's beat counter, and the stop flag.
const BEAT = 0;
const STOP = 1;

/** JavaScript module text for the watchdog worker (a blob: URL works in the compiled binary too). */
function workerSource(limitMs: number, message: string): string {
  return `
import { writeSync } from "node:fs";
self.onmessage = (event) => {
  const words = event.data;
  let last = Atomics.load(words, ${BEAT});
  let since = Date.now();
  let looked = since;
  for (;;) {
    Atomics.wait(words, ${STOP}, 0, ${BEAT_MS});
    if (Atomics.load(words, ${STOP}) !== 0) return;
    const now = Date.now();
    const beat = Atomics.load(words, ${BEAT});
    // A beat, or a pause of this thread too (the whole process was stopped): start again.
    if (beat !== last || now - looked > ${BEAT_MS * 8}) { last = beat; since = now; }
    looked = now;
    if (now - since >= ${limitMs}) {
      writeSync(2, ${JSON.stringify(message + "\n")});
      process.kill(process.pid, "SIGKILL");
      return;
    }
  }
};
`;
}

/** A running watchdog; stop() ends it. */
export interface StallWatchdog {
  stop(): void;
}

/**
 * Starts watching the event loop: if it does not turn for `limitMs`, the process is
 * killed (SIGKILL) after one line on stderr.
 * @example const watchdog = startStallWatchdog(30_000); ... watchdog.stop();
 */
export function startStallWatchdog(limitMs: number): StallWatchdog {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const seconds = Math.round(limitMs / 100) / 10;
  const message = `ecli: server: the event loop has not turned for ${seconds} s (--stall-limit): a task is computing without end ` +
    "(e.g. a WebAssembly module looping without calling the host); killing the server so the kernel frees every task's programs";
  const url = URL.createObjectURL(new Blob([workerSource(limitMs, message)], { type: "text/javascript" }));
  const worker = new Worker(url);
  worker.unref();
  worker.postMessage(words);
  const beat = setInterval(() => Atomics.add(words, BEAT, 1), BEAT_MS);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(beat);
      Atomics.store(words, STOP, 1);
      Atomics.notify(words, STOP);
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}
