import { describe, expect, test } from "bun:test";
import { ThreadPool, type JobThread } from "./thread-pool.ts";

/** A fake thread whose jobs finish when the test says so. */
class FakeThread implements JobThread<string> {
  alive = true;
  ended = false;
  readonly done: Array<{ job: string; finish: () => void; fail: (error: Error) => void }> = [];
  constructor(readonly id: number, readonly log: string[]) {}
  end(): void {
    this.ended = true;
  }
  run(job: string): Promise<void> {
    this.log.push(`${this.id}:${job}`);
    return new Promise<void>((resolve, reject) => {
      this.done.push({ job, finish: resolve, fail: (error) => {
        this.alive = false;
        reject(error);
      } });
    });
  }
}

function fakePool(maxThreads: number, spawnFails = () => false, maxQueued = 100, idleMs = 60_000) {
  const log: string[] = [];
  const threads: FakeThread[] = [];
  const inline: string[] = [];
  const pool = new ThreadPool<string>(() => {
    if (spawnFails()) throw new Error("no thread");
    const t = new FakeThread(threads.length, log);
    threads.push(t);
    return t;
  }, (job) => void inline.push(job), { maxThreads, maxQueued, idleMs });
  return { pool, log, threads, inline };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("ThreadPool", () => {
  test("runs jobs at once on up to maxThreads threads, queues the rest, reuses threads", async () => {
    const { pool, log, threads } = fakePool(2);
    const finished: string[] = [];
    const all = ["a", "b", "c"].map((job) => pool.submit(job).then(() => void finished.push(job)));
    expect(log).toEqual(["0:a", "1:b"]); // two at once, "c" waits for a free thread
    expect(pool.threads).toBe(2);
    threads[1].done[0].finish();
    await settle();
    expect(finished).toEqual(["b"]);
    expect(log).toEqual(["0:a", "1:b", "1:c"]); // the thread that finished takes the next job
    threads[0].done[0].finish();
    threads[1].done[1].finish();
    await Promise.all(all);
    expect(finished).toEqual(["b", "a", "c"]);
    expect(threads.length).toBe(2);
  });

  test("a thread that dies rejects its job and is replaced for the next one", async () => {
    const { pool, log, threads } = fakePool(1);
    const first = pool.submit("a");
    const second = pool.submit("b");
    threads[0].done[0].fail(new Error("crashed"));
    expect(await first.then(() => "ok", (e: Error) => e.message)).toBe("crashed");
    await settle();
    expect(pool.threads).toBe(1);
    expect(log).toEqual(["0:a", "1:b"]);
    threads[1].done[0].finish();
    await second;
  });

  test("when no thread can be made, jobs run inline through the fallback", async () => {
    const { pool, inline, threads } = fakePool(4, () => true);
    await Promise.all([pool.submit("a"), pool.submit("b")]);
    expect(inline).toEqual(["a", "b"]);
    expect(threads.length).toBe(0);
  });

  test("beyond maxQueued waiting jobs, a job runs inline at once", async () => {
    const { pool, log, threads, inline } = fakePool(1, () => false, 1);
    const running = pool.submit("a");
    const waiting = pool.submit("b");
    expect(pool.queued).toBe(1);
    await pool.submit("c"); // the thread is busy and one job already waits
    expect(inline).toEqual(["c"]);
    expect(log).toEqual(["0:a"]);
    threads[0].done[0].finish();
    await running;
    await settle();
    threads[0].done[1].finish();
    await waiting;
    expect(log).toEqual(["0:a", "0:b"]);
  });

  test("a thread idle for idleMs ends; the next job makes a new one", async () => {
    const { pool, threads } = fakePool(2, () => false, 100, 20);
    const job = pool.submit("a");
    threads[0].done[0].finish();
    await job;
    await settle();
    expect(pool.threads).toBe(1);
    await Bun.sleep(60);
    expect(threads[0].ended).toBe(true);
    expect(pool.threads).toBe(0);
    const next = pool.submit("b");
    expect(threads.length).toBe(2);
    threads[1].done[0].finish();
    await next;
  });

  test("options are checked", () => {
    const spawn = () => new FakeThread(0, []);
    expect(() => new ThreadPool(spawn, () => {}, { maxThreads: 0, maxQueued: 1, idleMs: 1 })).toThrow("maxThreads must be an integer of at least 1, not 0");
    expect(() => new ThreadPool(spawn, () => {}, { maxThreads: 1, maxQueued: -1, idleMs: 1 })).toThrow("maxQueued must be an integer of at least 0, not -1");
    expect(() => new ThreadPool(spawn, () => {}, { maxThreads: 1, maxQueued: 1, idleMs: 0.5 })).toThrow("idleMs must be an integer of at least 0, not 0.5");
  });
});
