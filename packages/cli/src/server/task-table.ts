/**
 * The server's tasks: each one a runner behind its own error boundary with its own
 * bounded output ring. Every operation is synchronous, so operations on one task are
 * serialised by construction (two updates never interleave).
 */
import { describeError } from "../describe-error.ts";
import type { OutputMode } from "../event-output.ts";
import { ApiError } from "./api-error.ts";
import { OutputRing } from "./output-ring.ts";
import type { TaskKind } from "./task-kinds.ts";
import type { RunnerFactory, RunnerSink, TaskRunner } from "./task-runner.ts";

export type TaskState = "running" | "paused" | "stopped" | "failed";

/** A task as the API lists it. */
export interface TaskInfo {
  id: string;
  name: string;
  state: TaskState;
  /** What the task runs: a package, or a WebAssembly module. */
  kind: TaskKind;
  mode: OutputMode;
  started_at: string;
  uptime_ms: number;
  /** Records read from the kernel. */
  events: number;
  /** Events lost in the kernel (perf lost samples, a ring buffer's lost counter). */
  lost: number;
  /** Output lines dropped because the task's log ring was full. */
  dropped: number;
  /** Output lines written so far (the cursor after the last one). */
  lines: number;
  /** Packages this task was updated to. */
  updates: number;
  error?: string;
  warning?: string;
  /**
   * The last update, timed from its request: `attached_ms` when the new package was
   * attached (the answer), `released_ms` when the old one was detached and released.
   */
  last_update?: { attached_ms: number; released_ms?: number };
}

const round = (ms: number) => Number(ms.toFixed(2));

/** Limits that keep one client or task from taking the server down. */
export interface TaskLimits {
  /** Running or paused tasks at once. */
  maxTasks: number;
  /** Output lines each task keeps. */
  logLines: number;
  /** Stopped or failed tasks kept for their logs (the oldest go first). */
  keepEnded: number;
}

class Task {
  runner: TaskRunner;
  kind: TaskKind = "package";
  state: TaskState = "running";
  readonly output: OutputRing;
  readonly startedAt = Date.now();
  updates = 0;
  error?: string;
  warning?: string;
  lastUpdate?: { attached_ms: number; released_ms?: number };
  /** Counters of runners this task has replaced. */
  eventsBefore = 0;
  lostBefore = 0;

  constructor(readonly id: string, readonly name: string, readonly mode: OutputMode, logLines: number) {
    this.output = new OutputRing(logLines);
    this.runner = undefined as unknown as TaskRunner; // set right after construction
  }

  get live(): boolean {
    return this.state === "running" || this.state === "paused";
  }

  info(): TaskInfo {
    const stats = this.runner.stats;
    const info: TaskInfo = {
      id: this.id, name: this.name, state: this.state, kind: this.kind, mode: this.mode,
      started_at: new Date(this.startedAt).toISOString(), uptime_ms: Date.now() - this.startedAt,
      events: this.eventsBefore + stats.events, lost: this.lostBefore + stats.lost,
      dropped: this.output.dropped, lines: this.output.end, updates: this.updates,
    };
    if (this.error !== undefined) info.error = this.error;
    if (this.warning !== undefined) info.warning = this.warning;
    if (this.lastUpdate !== undefined) info.last_update = { ...this.lastUpdate };
    return info;
  }
}

/** Why a runner could not start, as the API answers it. */
function startFailure(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(422, describeError(err));
}

/** The set of tasks. */
export class TaskTable {
  readonly #tasks = new Map<string, Task>();
  readonly #retiring = new Set<() => void>();
  /** Runners whose release finishes asynchronously (WebAssembly modules), until it does. */
  readonly #releasing = new Set<Promise<void>>();
  #nextId = 1;

  constructor(readonly limits: TaskLimits) {}

  /**
   * Starts a task; returns its info.
   * @throws ApiError 429 when as many tasks as allowed are live, 422 when it cannot start.
   */
  start(name: string, mode: OutputMode, makeRunner: RunnerFactory, kind: TaskKind = "package"): TaskInfo {
    const live = [...this.#tasks.values()].filter((t) => t.live).length;
    if (live >= this.limits.maxTasks) throw new ApiError(429, `${live} tasks are running, the most this server allows (--max-tasks)`);
    const task = new Task(String(this.#nextId), name, mode, this.limits.logLines);
    task.kind = kind;
    // The sink speaks for the task only while this runner is the task's (not after an update).
    let runner: TaskRunner | undefined;
    runner = makeRunner(this.#sinkFor(task, () => runner));
    task.runner = runner;
    try {
      task.runner.start(false);
    } catch (err) {
      task.runner.stop();
      throw startFailure(err);
    }
    this.#nextId++;
    this.#tasks.set(task.id, task);
    return task.info();
  }

  /** Every task, oldest first. */
  list(): TaskInfo[] {
    return [...this.#tasks.values()].map((t) => t.info());
  }

  /** One task. @throws ApiError 404 for an unknown id. */
  info(id: string): TaskInfo {
    return this.#get(id).info();
  }

  /** The output ring of a task. @throws ApiError 404 for an unknown id. */
  output(id: string): OutputRing {
    return this.#get(id).output;
  }

  /** Stops a task, keeping its log readable. Stopping an ended task changes nothing. */
  stop(id: string): TaskInfo {
    const task = this.#get(id);
    this.#end(task, "stopped");
    return task.info();
  }

  /** Stops a task and forgets it. */
  remove(id: string): TaskInfo {
    const info = this.stop(id);
    this.#tasks.delete(id);
    return info;
  }

  /** @throws ApiError 409 unless the task is running. */
  pause(id: string): TaskInfo {
    const task = this.#inState(id, "running", "pause");
    task.runner.pause();
    task.state = "paused";
    return task.info();
  }

  /** @throws ApiError 409 unless the task is paused; 422 when it cannot attach again (the task fails). */
  resume(id: string): TaskInfo {
    const task = this.#inState(id, "paused", "resume");
    try {
      task.runner.resume();
    } catch (err) {
      task.error = describeError(err);
      this.#end(task, "failed");
      throw startFailure(err);
    }
    task.state = "running";
    return task.info();
  }

  /**
   * Replaces a live task's runner: the new one is loaded and attached (or only loaded,
   * when paused) before the old one is read out and stopped, so no event goes unseen.
   * `receivedAt` (performance.now() when the request came) times the update.
   * @throws ApiError 409 for an ended task, 422 when the new runner cannot start (the old one goes on).
   */
  update(id: string, makeRunner: RunnerFactory, receivedAt = performance.now(), kind: TaskKind = "package"): TaskInfo {
    const task = this.#get(id);
    if (!task.live) throw new ApiError(409, `task ${id} is ${task.state}: only a running or paused task can be updated`);
    let next: TaskRunner | undefined;
    next = makeRunner(this.#sinkFor(task, () => next));
    try {
      next.start(task.state === "paused");
    } catch (err) {
      next.stop();
      throw startFailure(err);
    }
    const old = task.runner;
    task.runner = next;
    task.kind = kind;
    task.updates++;
    this.#retire(task, old, receivedAt);
    return task.info();
  }

  /**
   * Stops every live task and every replaced runner still being released (server
   * shutdown); resolves once all of them are released (modules end at their next wait).
   */
  stopAll(): Promise<void> {
    for (const release of [...this.#retiring]) release();
    for (const task of this.#tasks.values()) this.#end(task, "stopped");
    return Promise.all([...this.#releasing]).then(() => undefined);
  }

  /**
   * Reads out and releases a replaced runner right after the update's answer is sent:
   * the kernel takes tens of milliseconds to tear down a tracepoint's perf event, and
   * both runners may report events for that moment. Its counters join the task's.
   */
  #retire(task: Task, old: TaskRunner, receivedAt: number): void {
    const release = () => {
      if (!this.#retiring.delete(release)) return;
      try {
        old.stop();
      } catch (err) {
        task.warning = `releasing the replaced package: ${describeError(err)}`;
      }
      const done = () => {
        task.eventsBefore += old.stats.events;
        task.lostBefore += old.stats.lost;
        task.lastUpdate = { attached_ms: task.lastUpdate?.attached_ms ?? 0, released_ms: round(performance.now() - receivedAt) };
      };
      if (old.released) this.#track(old.released.then(done));
      else done();
    };
    this.#retiring.add(release);
    task.lastUpdate = { attached_ms: round(performance.now() - receivedAt) };
    setTimeout(release, 0);
  }

  #sinkFor(task: Task, current: () => TaskRunner | undefined): RunnerSink {
    return {
      lines: (lines) => task.output.push(lines),
      warning: (line) => void (task.warning = line),
      failed: (error) => {
        if (current() !== task.runner || !task.live) return;
        task.error = describeError(error);
        this.#end(task, "failed");
      },
      ended: () => {
        if (current() === task.runner) this.#end(task, "stopped");
      },
    };
  }

  /** Keeps `released` until it settles, so shutdown can wait for it. */
  #track(released: Promise<void>): void {
    const settled = released.catch(() => undefined).finally(() => this.#releasing.delete(settled));
    this.#releasing.add(settled);
  }

  #end(task: Task, state: "stopped" | "failed"): void {
    if (!task.live) return;
    try {
      task.runner.stop();
    } catch (err) {
      task.error ??= describeError(err);
    }
    task.state = state;
    // A module may still write while it ends (a summary on Ctrl-C): the log closes after.
    const released = task.runner.released;
    if (released) this.#track(released.finally(() => task.output.close()));
    else task.output.close();
    this.#forgetOldEnded();
  }

  #forgetOldEnded(): void {
    const ended = [...this.#tasks.values()].filter((t) => !t.live);
    for (const t of ended.slice(0, Math.max(0, ended.length - this.limits.keepEnded))) this.#tasks.delete(t.id);
  }

  #get(id: string): Task {
    const task = this.#tasks.get(id);
    if (!task) throw new ApiError(404, `no task ${JSON.stringify(id)}`);
    return task;
  }

  #inState(id: string, state: TaskState, what: string): Task {
    const task = this.#get(id);
    if (task.state !== state) throw new ApiError(409, `task ${id} is ${task.state}: cannot ${what} it`);
    return task;
  }
}
