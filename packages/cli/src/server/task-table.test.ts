import { describe, expect, test } from "bun:test";
import { ApiError } from "./api-error.ts";
import type { RunnerFactory, RunnerSink, TaskRunner } from "./task-runner.ts";
import { TaskTable } from "./task-table.ts";

/** A runner that records what is done to it, in one shared journal. */
function recorder(journal: string[], label: string, opts: { failStart?: boolean; sinks?: RunnerSink[] } = {}): RunnerFactory {
  return (sink) => {
    opts.sinks?.push(sink);
    const runner: TaskRunner = {
      stats: { events: 0, lost: 0 },
      start: (paused) => {
        journal.push(`${label} start${paused ? " paused" : ""}`);
        if (opts.failStart) throw new ApiError(422, `${label} refused`);
        runner.stats.events = 2;
      },
      pause: () => void journal.push(`${label} pause`),
      resume: () => void journal.push(`${label} resume`),
      stop: () => void journal.push(`${label} stop`),
    };
    return runner;
  };
}

const limits = { maxTasks: 2, logLines: 4, keepEnded: 1 };

describe("TaskTable", () => {
  test("start, pause, resume, stop, with 409 for a state that does not allow it", () => {
    const journal: string[] = [];
    const tasks = new TaskTable(limits);
    const { id } = tasks.start("a", "json", recorder(journal, "a"));
    expect(tasks.pause(id).state).toBe("paused");
    expect(() => tasks.pause(id)).toThrow(new ApiError(409, `task ${id} is paused: cannot pause it`));
    expect(tasks.resume(id).state).toBe("running");
    expect(() => tasks.resume(id)).toThrow("cannot resume it");
    expect(tasks.stop(id)).toMatchObject({ state: "stopped", events: 2 });
    expect(tasks.stop(id).state).toBe("stopped");
    expect(journal).toEqual(["a start", "a pause", "a resume", "a stop"]);
    expect(() => tasks.info("9")).toThrow('no task "9"');
  });

  test("an update starts the new runner before the old one stops, and keeps the old one on failure", async () => {
    const journal: string[] = [];
    const tasks = new TaskTable(limits);
    const { id } = tasks.start("a", "text", recorder(journal, "old"));
    expect(() => tasks.update(id, recorder(journal, "bad", { failStart: true }))).toThrow("bad refused");
    const info = tasks.update(id, recorder(journal, "new"));
    expect(info.updates).toBe(1);
    expect(info.last_update?.attached_ms).toBeGreaterThanOrEqual(0);
    await Bun.sleep(5); // the old runner is released right after the answer
    expect(journal).toEqual(["old start", "bad start", "bad stop", "new start", "old stop"]);
    expect(tasks.info(id)).toMatchObject({ events: 4, updates: 1 });
    expect(tasks.info(id).last_update?.released_ms).toBeGreaterThanOrEqual(0);
  });

  test("a paused task is updated paused; an ended one cannot be", () => {
    const journal: string[] = [];
    const tasks = new TaskTable(limits);
    const { id } = tasks.start("a", "text", recorder(journal, "old"));
    tasks.pause(id);
    tasks.update(id, recorder(journal, "new"));
    tasks.stopAll();
    expect(journal).toEqual(["old start", "old pause", "new start paused", "old stop", "new stop"]);
    expect(() => tasks.update(id, recorder(journal, "late"))).toThrow(new ApiError(409, `task ${id} is stopped: only a running or paused task can be updated`));
  });

  test("a runner that fails fails its task alone; output goes to the task's ring", () => {
    const sinks: RunnerSink[] = [];
    const tasks = new TaskTable(limits);
    const a = tasks.start("a", "json", recorder([], "a", { sinks })).id;
    const b = tasks.start("b", "json", recorder([], "b", { sinks })).id;
    sinks[0].lines(["1", "2", "3", "4", "5"]);
    sinks[0].failed(new Error("boom"));
    expect(tasks.info(a)).toMatchObject({ state: "failed", error: "internal error: boom", dropped: 1, lines: 5 });
    expect(tasks.output(a).read(0).lines).toEqual(["2", "3", "4", "5"]);
    expect(tasks.info(b).state).toBe("running");
  });

  test("a runner released asynchronously: its log closes once it is released, and shutdown waits for it", async () => {
    const sinks: RunnerSink[] = [];
    let release!: () => void;
    const tasks = new TaskTable(limits);
    const { id } = tasks.start("m", "text", (sink) => {
      sinks.push(sink);
      return {
        stats: { events: 0, lost: 0 },
        released: new Promise<void>((resolve) => (release = resolve)),
        start: () => {}, pause: () => {}, resume: () => {},
        stop: () => sink.lines(["stopping"]),
      };
    }, "wasm");
    expect(tasks.info(id).kind).toBe("wasm");
    let stopped = false;
    const shutdown = tasks.stopAll().then(() => (stopped = true));
    sinks[0].lines(["last words"]); // written while it ends: still logged
    await Bun.sleep(5);
    expect(stopped).toBe(false);
    expect(tasks.output(id).closed).toBe(false);
    release();
    await shutdown;
    expect(tasks.output(id).closed).toBe(true);
    expect(tasks.output(id).read(0).lines).toEqual(["stopping", "last words"]);
    expect(tasks.info(id).state).toBe("stopped");
  });

  test("a runner that ends by itself leaves its task stopped; a replaced one no longer speaks for the task", () => {
    const sinks: RunnerSink[] = [];
    const tasks = new TaskTable(limits);
    const { id } = tasks.start("a", "text", recorder([], "a", { sinks }));
    tasks.update(id, recorder([], "b", { sinks }), performance.now(), "wasm");
    sinks[0].ended();
    sinks[0].failed(new Error("old news"));
    expect(tasks.info(id)).toMatchObject({ state: "running", kind: "wasm" });
    sinks[1].ended();
    expect(tasks.info(id)).toMatchObject({ state: "stopped" });
    expect(tasks.info(id).error).toBeUndefined();
  });

  test("limits: 429 beyond max tasks, a failed start leaves no task, old ended tasks are forgotten", () => {
    const tasks = new TaskTable(limits);
    expect(() => tasks.start("x", "text", recorder([], "x", { failStart: true }))).toThrow("x refused");
    expect(tasks.list()).toEqual([]);
    const a = tasks.start("a", "text", recorder([], "a")).id;
    tasks.start("b", "text", recorder([], "b"));
    expect(() => tasks.start("c", "text", recorder([], "c"))).toThrow(new ApiError(429, "2 tasks are running, the most this server allows (--max-tasks)"));
    tasks.stop(a);
    const c = tasks.start("c", "text", recorder([], "c")).id;
    tasks.stop(c); // keepEnded is 1: a is forgotten
    expect(tasks.list().map((t) => t.name)).toEqual(["b", "c"]);
    expect(tasks.remove(c).state).toBe("stopped");
    expect(tasks.list().map((t) => t.name)).toEqual(["b"]);
  });
});
