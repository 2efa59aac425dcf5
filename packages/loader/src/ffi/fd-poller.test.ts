import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { LibbpfError } from "../errors.ts";
import { FdPoller } from "./fd-poller.ts";
import { libc } from "./libc.ts";

const EFD_CLOEXEC = 0x80000;
const opened: number[] = [];
afterEach(() => {
  for (const fd of opened.splice(0)) libc().close(fd);
});

function eventFd(): number {
  const fd = libc().eventfd(0, EFD_CLOEXEC);
  if (fd < 0) throw new Error("eventfd failed");
  opened.push(fd);
  return fd;
}

/** Makes an eventfd readable. */
function signal(fd: number): void {
  expect(Number(libc().write(fd, new BigUint64Array([1n]), 8))).toBe(8);
}

describe("FdPoller", () => {
  test("one poller watches several fds and wakes when any of them becomes readable", async () => {
    const fds = [eventFd(), eventFd(), eventFd()];
    using poller = new FdPoller(fds);
    expect(await poller.wait(30)).toBe(false);
    setTimeout(() => signal(fds[2]), 20);
    const t0 = performance.now();
    expect(await poller.wait(5000)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("a single fd still works", async () => {
    const fd = eventFd();
    using poller = new FdPoller(fd);
    expect(await poller.wait(20)).toBe(false);
    signal(fd);
    expect(await poller.wait(1000)).toBe(true);
  });

  test("close() ends a pending wait over several fds and is idempotent", async () => {
    const poller = new FdPoller([eventFd(), eventFd()]);
    const pending = poller.wait(-1);
    await Bun.sleep(30);
    poller.close();
    poller.close();
    expect(await pending).toBe(false);
    await expect(poller.wait(1)).rejects.toBeInstanceOf(LibbpfError);
  });

  test("an fd that is not open is a clear error, and nothing is left open", async () => {
    const good = eventFd();
    const fds = () => readdirSync("/proc/self/fd").length;
    // Workers of earlier pollers release their own event loop's fds after terminate():
    // wait until the count is steady before taking it.
    let before = fds();
    for (let i = 0; i < 40; i++) {
      await Bun.sleep(25);
      const now = fds();
      if (now === before) break;
      before = now;
    }
    expect(() => new FdPoller([good, 999_999])).toThrow("epoll_ctl add fd 999999: EBADF (bad file descriptor)");
    expect(fds()).toBe(before); // the epoll fd and the wake eventfd were closed
  });
});
