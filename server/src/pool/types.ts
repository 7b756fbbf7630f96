/** The pool's public shapes: options, task handles and hooks, worker snapshots. */
import type { TaskFailedError, WorkerSpawnError } from './errors';
import type { Policy } from './policy';
import type { WorkerExit } from './processStatus';
import type { ExecutionTokens } from './tokens';
import type { PoolWorker } from './worker';

export type TaskOutcome<Response> = { ok: true; response: Response } | { ok: false; error: TaskFailedError };

export interface TaskHandle<Response> {
  readonly id: number;
  /** Settles exactly once: with the response, or with why there is none (`error.reason`). */
  readonly done: Promise<TaskOutcome<Response>>;
  /**
   * Cancels the task and the tasks injected after it: a queued one is never sent; a running one is
   * interrupted, and its worker killed if it has not stopped within the pool's `cancelGraceMs`.
   */
  cancel(): void;
}

/** What `onStart` and `onMessage` may do with the worker running the task (Tezt's scheduler context). */
export interface SchedulerContext {
  readonly taskId: number;
  /** The name of the worker running the task. */
  readonly worker: string;
  /** Sends a message to the running task (it reads it with `nextMessage`); dropped once the task has ended. */
  send(message: unknown): void;
}

/** Per-task scheduling (Tezt's `add_task`). */
export interface TaskOptions<Response> {
  /** After this long running, `termSignal` is sent to the worker; the task fails with reason 'timeout'. */
  termTimeoutMs?: number;
  /** Default SIGTERM. */
  termSignal?: NodeJS.Signals;
  /** SIGKILL this long after `termSignal` was sent, or after the start when there is no `termTimeoutMs`. */
  killTimeoutMs?: number;
  onTermTimeout?(): void;
  onKillTimeout?(): void;
  /** When the task is sent to a worker, before any of its messages. */
  onStart?(context: SchedulerContext): void;
  /** Each message (feedback) the running task sends, in order, before it ends. */
  onMessage?(context: SchedulerContext, message: unknown): void;
  /**
   * Exactly once for a task that started: with the response, or an error naming why (exception,
   * timeout, killed, worker died, cancelled). A task that never started (expired, cancelled or
   * cleared while queued) has no `onFinish`; its handle still settles.
   */
  onFinish?(outcome: TaskOutcome<Response>): void;
}

export type WorkerState = 'starting' | 'idle' | 'busy';

export interface WorkerSnapshot {
  id: number;
  name: string;
  pid: number;
  state: WorkerState;
  task?: string;
  /** When the worker entered its current state (Date.now()). */
  since: number;
  tasksDone: number;
  /** Whether it holds a competence (`old`) or not (`fresh`). */
  status: 'fresh' | 'old';
  /** Set while the pool is ending this worker, and why. */
  ending?: string;
}

export interface PoolOptions<Task, Request, Response, Competence> {
  /** How many workers the pool keeps (at most, when idle workers retire). */
  size: number;
  policy: Policy<Task, Request, Response, Competence>;
  /** Starts one worker (WorkerProcess.spawn or InProcessWorker.start); the pool owns what it returns. */
  spawn(name: string): Promise<PoolWorker>;
  /** Each feedback of a running task, in order, before its response. */
  onFeedback?(task: Task, feedback: unknown): void;
  /** A message a worker sent outside any task. */
  onMessage?(worker: string, message: unknown): void;
  /** Once per task that got a handle or was injected, however it ended (mirrors `done`). */
  onFinish?(task: Task, outcome: TaskOutcome<Response>): void;
  /** Any change of a worker's state, birth or death. */
  onWorkersChanged?(): void;
  /** A worker ended without being asked to. Whatever this does, the pool goes on. */
  onUnexpectedWorkerExit?(name: string, exit: WorkerExit): void;
  /** Workers could not be started `maxSpawnFailures` times in a row: the pool gave up and fails every task. */
  onSpawnFailure?(error: WorkerSpawnError): void;
  /** Called when a worker is available and nothing is queued; it may submit tasks. */
  onEmptyQueue?(): void;
  /** A hook (or a policy function) threw; the pool went on. Default: printed on stderr. */
  onHookError?(error: unknown, hook: string): void;
  /** How long a cancelled running task may take to stop after an interrupt before its worker is killed (default 2 s). */
  cancelGraceMs?: number;
  /** A cap on tasks computing at once, lower than `size` (or shared with other pools). */
  tokens?: number | ExecutionTokens;
  /** The queue's order (default: arrival); see `setOrder`. */
  order?: (a: Task, b: Task) => number;
  /** Idle workers retire after this long without a task (SIGTERM); they come back when tasks do. */
  workerIdleTimeoutMs?: number;
  /** A retiring worker (or one stopped by `stop`) still alive after this long gets SIGKILL. */
  workerKillTimeoutMs?: number;
  onWorkerKillTimeout?(name: string): void;
  /** An idle worker retired, and how it ended. */
  onWorkerRetired?(name: string, exit: WorkerExit): void;
  /**
   * A worker whose process group (it and what it started) holds more resident memory than this is
   * ended and replaced; the task it was running, if any, fails with reason 'memory'.
   */
  memoryLimitBytes?: number;
  /** How often memory is looked at (default 500 ms). */
  memoryCheckIntervalMs?: number;
  /** A worker passed the memory limit; it is being ended. */
  onWorkerOverMemory?(name: string, bytes: number): void;
  /** Consecutive failed starts before the pool gives up (default 3). */
  maxSpawnFailures?: number;
}
