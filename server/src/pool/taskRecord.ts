/**
 * One task inside the pool, from submission to its single outcome: where it is (queued, running,
 * settled), its parent (injected tasks share their parent's cancellation), and the guards that
 * make every callback fire at most once.
 */
import { TaskFailedError, TaskFailureReason } from './errors';
import type { WorkerExit } from './processStatus';
import type { Queued } from './queue';
import type { TaskHandle, TaskOptions, TaskOutcome } from './types';

const NO_OPTIONS: TaskOptions<never> = {};

/** What a record tells its pool (one object per pool, not a closure per task: there may be many). */
export interface TaskOwner<Task, Response> {
  settled(record: TaskRecord<Task, Response>, outcome: TaskOutcome<Response>): void;
  cancel(record: TaskRecord<Task, Response>): void;
}

/** Also the task's handle: the pool hands it out typed as TaskHandle. */
export class TaskRecord<Task, Response> implements Queued, TaskHandle<Response> {
  seq = 0;
  /** Set once the handle has been settled. */
  settled = false;
  /** Set when it was cancelled (it may still be running until its worker answers or dies). */
  cancelled = false;
  /** Set once it was sent to a worker: only started tasks get `onFinish`. */
  started = false;
  /** `onCancelExpireOrDeath` was called for it. */
  deathReported = false;
  /** Term and kill timers while it runs. */
  timers: NodeJS.Timeout[] | undefined;
  readonly done: Promise<TaskOutcome<Response>>;
  private resolve!: (outcome: TaskOutcome<Response>) => void;

  constructor(
    readonly id: number,
    readonly task: Task,
    readonly options: TaskOptions<Response> = NO_OPTIONS,
    readonly parent: TaskRecord<Task, Response> | undefined,
    private readonly owner: TaskOwner<Task, Response>,
  ) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  cancel(): void {
    this.owner.cancel(this);
  }

  /** Whether `ancestor` is this task's parent, grandparent, ... */
  descendsFrom(ancestor: TaskRecord<Task, Response>): boolean {
    for (let p = this.parent; p; p = p.parent) if (p === ancestor) return true;
    return false;
  }

  succeed(response: Response): void {
    this.settle({ ok: true, response });
  }

  fail(reason: TaskFailureReason, message: string, options?: { cause?: unknown; exit?: WorkerExit }): void {
    this.settle({ ok: false, error: new TaskFailedError(reason, message, options) });
  }

  clearTimers(): void {
    if (!this.timers) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = undefined;
  }

  private settle(outcome: TaskOutcome<Response>): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(outcome);
    this.owner.settled(this, outcome);
  }
}
