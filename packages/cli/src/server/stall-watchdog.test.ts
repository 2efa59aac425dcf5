import { expect, test } from "bun:test";
import { startStallWatchdog } from "./stall-watchdog.ts";

// The kill itself is tested end to end (test/server-wasm.test.ts): here, that a turning
// event loop, even a busy one, is left alone, and that stop() ends the watch. A wrong
// kill ends this test process with SIGKILL, which fails the run.
test("an event loop that keeps turning is not killed, even with short blocks", async () => {
  const watchdog = startStallWatchdog(600);
  try {
    for (let i = 0; i < 8; i++) {
      Bun.sleepSync(150); // blocked, but for less than the limit
      await Bun.sleep(10);
    }
  } finally {
    watchdog.stop();
    watchdog.stop();
  }
  // Stopped: a block past the limit is now harmless.
  const t0 = performance.now();
  Bun.sleepSync(900);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
});
