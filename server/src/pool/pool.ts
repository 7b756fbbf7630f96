/**
 * The worker manager: a queue of tasks, a fixed number of worker processes, and a policy that
 * decides which worker may take which task and what a response means (Coq's AsyncTaskQueue),
 * with Tezt's exactly-once task completion and rpc_parallel's process ownership underneath.
 * It knows nothing about Coq or LSP.
 */
import { TaskFailedError, TaskFailureReason, WorkerSpawnError } from './errors';
import { Policy, WorkerStatus } from './policy';
import { WorkerExit, WorkerProcess } from './workerProcess';

export type TaskOutcome<Response> = { ok: true; response: Response } | { ok: false; error: TaskFailedError };

export interface TaskHandle<Response> {
  readonly id: number;
  readonly done: Promise<TaskOutcome<Response>>;
  cancel(): void;
}

export type WorkerState = 'starting' | 'idle' | 'busy';

export interface WorkerSnapshot {
  id: number;
  pid: number;
  state: WorkerState;
  task?: string;
  /** When the worker entered its current state (Date.now()). */
  since: number;
  tasksDone: number;
}

export interface PoolOptions<Task, Request, Response, Competence> {
  size: number;
  policy: Policy<Task, Request, Response, Competence>;
  /** Starts one worker process; the pool owns what it returns. */
  spawn(name: string): Promise<WorkerProcess>;
  onFeedback?(task: Task, feedback: unknown): void;
  /** Called exactly once per task that was given a handle, injected tasks included. */
  onFinish?(task: Task, outcome: TaskOutcome<Response>): void;
  /** Any change of a worker's state, birth or death. */
  onWorkersChanged?(): void;
  /** A worker ended without being asked to. Never throws into the pool. */
  onUnexpectedWorkerExit?(name: string, exit: WorkerExit): void;
  /** Workers could not be started several times in a row: the pool gave up. */
  onSpawnFailure?(error: WorkerSpawnError): void;
  /** How long a cancelled running task may take to stop after an interrupt before its worker is killed. */
  cancelGraceMs?: number;
}

interface QueuedTask<Task, Response> {
  id: number;
  task: Task;
  settle(outcome: TaskOutcome<Response>): void;
  settled: boolean;
  /** Injected tasks share their parent's cancellation. */
  parent?: QueuedTask<Task, Response>;
  cancelled: boolean;
}

interface Slot<Task, Response, Competence> {
  id: number;
  worker?: WorkerProcess;
  status: WorkerStatus<Competence>;
  state: WorkerState;
  since: number;
  current?: QueuedTask<Task, Response>;
  tasksDone: number;
  /** Set when the pool itself ends this worker, so its exit is not "unexpected". */
  ending?: TaskFailureReason;
}

const MAX_SPAWN_FAILURES = 3;

export class Pool<Task, Request, Response, Competence> {
  private readonly queue: QueuedTask<Task, Response>[] = [];
  private readonly slots = new Set<Slot<Task, Response, Competence>>();
  private nextTaskId = 1;
  private nextWorkerId = 1;
  private spawnFailures = 0;
  private destroyed = false;
  private gaveUp: WorkerSpawnError | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: PoolOptions<Task, Request, Response, Competence>) {
    for (let i = 0; i < options.size; i++) this.startWorker();
  }

  get size(): number {
    return this.options.size;
  }

  /** Queues a task (FIFO) and returns its handle. */
  submit(task: Task): TaskHandle<Response> {
    const queued = this.enqueue(task, undefined, 'back');
    return { id: queued.id, done: queued.done, cancel: () => this.cancelTask(queued.entry) };
  }

  /** Cancels every queued and running task for which `predicate` holds, injected children included. */
  cancelWhere(predicate: (task: Task) => boolean): void {
    for (const entry of [...this.queue]) if (predicate(entry.task)) this.cancelTask(entry);
    for (const slot of this.slots) if (slot.current && predicate(slot.current.task)) this.cancelTask(slot.current);
  }

  workers(): WorkerSnapshot[] {
    return [...this.slots].map((slot) => ({
      id: slot.id,
      pid: slot.worker?.pid ?? -1,
      state: slot.state,
      task: slot.current ? this.options.policy.nameOfTask(slot.current.task) : undefined,
      since: slot.since,
      tasksDone: slot.tasksDone,
    }));
  }

  /** Kills one worker (as a user would); its task fails with reason 'killed', a fresh worker replaces it. */
  async killWorker(id: number): Promise<boolean> {
    const slot = [...this.slots].find((s) => s.id === id);
    if (!slot?.worker) return false;
    slot.ending = 'killed';
    await slot.worker.kill();
    return true;
  }

  /** Resolves when the queue is empty and every worker is idle. */
  join(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every task, ends every worker and waits until all are gone. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const entry of this.queue.splice(0)) this.fail(entry, 'cancelled', 'the pool was shut down');
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      if (slot.current) this.fail(slot.current, 'cancelled', 'the pool was shut down');
      slot.ending = 'cancelled';
      if (slot.worker) exits.push(slot.worker.kill());
    }
    await Promise.all(exits);
    this.slots.clear();
    this.notifyIdle();
  }

  private enqueue(task: Task, parent: QueuedTask<Task, Response> | undefined, where: 'front' | 'back') {
    let settle!: (outcome: TaskOutcome<Response>) => void;
    const done = new Promise<TaskOutcome<Response>>((resolve) => (settle = resolve));
    const entry: QueuedTask<Task, Response> = {
      id: this.nextTaskId++,
      task,
      parent,
      cancelled: false,
      settled: false,
      settle: (outcome) => {
        if (entry.settled) return;
        entry.settled = true;
        settle(outcome);
        this.options.onFinish?.(task, outcome);
      },
    };
    if (this.destroyed) this.fail(entry, 'cancelled', 'the pool was shut down');
    else if (this.gaveUp) this.fail(entry, 'worker-died', this.gaveUp.message);
    else {
      if (where === 'front') this.queue.unshift(entry);
      else this.queue.push(entry);
      queueMicrotask(() => this.dispatch());
    }
    return { id: entry.id, done, entry };
  }

  private cancelTask(entry: QueuedTask<Task, Response>): void {
    if (entry.settled) return;
    entry.cancelled = true;
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    for (const child of this.queue.filter((e) => this.descendsFrom(e, entry))) this.cancelTask(child);
    const slot = [...this.slots].find((s) => s.current === entry);
    this.fail(entry, 'cancelled', 'cancelled');
    this.options.policy.onCancelExpireOrDeath?.(entry.task);
    if (slot?.worker) {
      // Ask nicely first; a worker that does not stop in time is killed and replaced.
      slot.worker.interrupt(entry.id);
      const worker = slot.worker;
      setTimeout(() => {
        if (slot.worker === worker && slot.current === entry) {
          slot.ending = 'cancelled';
          void worker.kill();
        }
      }, this.options.cancelGraceMs ?? 2000).unref();
    }
    this.notifyIdle();
  }

  private descendsFrom(entry: QueuedTask<Task, Response>, ancestor: QueuedTask<Task, Response>): boolean {
    for (let p = entry.parent; p; p = p.parent) if (p === ancestor) return true;
    return false;
  }

  private fail(entry: QueuedTask<Task, Response>, reason: TaskFailureReason, message: string): void {
    entry.settle({ ok: false, error: new TaskFailedError(reason, message) });
  }

  private startWorker(): void {
    const slot: Slot<Task, Response, Competence> = {
      id: this.nextWorkerId++,
      status: { kind: 'fresh' },
      state: 'starting',
      since: Date.now(),
      tasksDone: 0,
    };
    this.slots.add(slot);
    this.changed();
    this.options.spawn(`worker ${slot.id}`).then(
      (worker) => {
        if (this.destroyed || !this.slots.has(slot)) {
          void worker.kill();
          return;
        }
        this.spawnFailures = 0;
        slot.worker = worker;
        worker.onFeedback((taskId, feedback) => {
          if (slot.current?.id === taskId && !slot.current.cancelled) this.options.onFeedback?.(slot.current.task, feedback);
        });
        void worker.exited.then((exit) => this.onWorkerExit(slot, worker, exit));
        this.setState(slot, 'idle');
        this.dispatch();
      },
      (error: WorkerSpawnError) => {
        this.slots.delete(slot);
        if (this.destroyed) return;
        if (++this.spawnFailures >= MAX_SPAWN_FAILURES) this.giveUp(error);
        else this.startWorker();
      },
    );
  }

  private giveUp(error: WorkerSpawnError): void {
    if (this.gaveUp) return;
    this.gaveUp = error;
    for (const entry of this.queue.splice(0)) this.fail(entry, 'worker-died', error.message);
    this.options.onSpawnFailure?.(error);
    this.changed();
    this.notifyIdle();
  }

  private onWorkerExit(slot: Slot<Task, Response, Competence>, worker: WorkerProcess, exit: WorkerExit): void {
    if (slot.worker !== worker) return;
    this.slots.delete(slot);
    const reason = slot.ending ?? 'worker-died';
    if (!slot.ending) this.options.onUnexpectedWorkerExit?.(worker.name, exit);
    const task = slot.current;
    if (task) {
      this.fail(task, reason, reason === 'killed' ? `${worker.name} was killed` : exit.description);
      if (reason !== 'cancelled') this.options.policy.onCancelExpireOrDeath?.(task.task);
    } else if (!slot.ending) {
      this.options.policy.onCancelExpireOrDeath?.(undefined);
    }
    if (!this.destroyed && !this.gaveUp) this.startWorker();
    this.changed();
    this.notifyIdle();
  }

  /** Gives queued tasks to idle workers: the first task some idle worker matches goes to the cheapest such worker. */
  private dispatch(): void {
    if (this.destroyed) return;
    const policy = this.options.policy;
    let assigned = true;
    while (assigned) {
      assigned = false;
      const idle = [...this.slots].filter((s) => s.state === 'idle');
      if (idle.length === 0) break;
      for (let i = 0; i < this.queue.length && !assigned; i++) {
        const entry = this.queue[i];
        let best: Slot<Task, Response, Competence> | undefined;
        let bestCost = Infinity;
        for (const slot of idle) {
          if (!policy.taskMatch(slot.status, entry.task)) continue;
          const cost = policy.cost?.(slot.status, entry.task) ?? 0;
          if (cost < bestCost) [best, bestCost] = [slot, cost];
        }
        if (!best) continue;
        this.queue.splice(i, 1);
        this.runOn(best, entry);
        assigned = true;
      }
    }
    this.notifyIdle();
  }

  private runOn(slot: Slot<Task, Response, Competence>, entry: QueuedTask<Task, Response>): void {
    const policy = this.options.policy;
    const worker = slot.worker!;
    const request = policy.requestOfTask(slot.status, entry.task);
    if (request === undefined) {
      // Expired: dropped without running; the worker stays idle.
      this.fail(entry, 'expired', 'expired before it ran');
      policy.onCancelExpireOrDeath?.(entry.task);
      return;
    }
    slot.current = entry;
    this.setState(slot, 'busy');
    worker.run(entry.id, request).then(
      (response) => {
        if (slot.worker !== worker || slot.current !== entry) return;
        slot.current = undefined;
        slot.tasksDone++;
        if (entry.cancelled) {
          // It answered after a cancel: its competence is unknown, so start over from fresh.
          slot.status = { kind: 'fresh' };
        } else {
          const use = policy.useResponse(slot.status, entry.task, response as Response);
          entry.settle({ ok: true, response: response as Response });
          if (use === 'end') {
            slot.ending = 'cancelled';
            void worker.kill();
            return;
          }
          slot.status = { kind: 'old', competence: use.stay };
          for (const task of [...(use.inject ?? [])].reverse()) this.enqueue(task, entry, 'front');
        }
        this.setState(slot, 'idle');
        this.dispatch();
      },
      (error: unknown) => {
        if (slot.worker !== worker || slot.current !== entry) return;
        if (!worker.alive || slot.ending) return; // onWorkerExit settles it
        slot.current = undefined;
        slot.status = { kind: 'fresh' };
        const message = error instanceof Error ? error.message : String(error);
        this.fail(entry, 'exception', `${worker.name}: ${message}`);
        this.setState(slot, 'idle');
        this.dispatch();
      },
    );
  }

  private setState(slot: Slot<Task, Response, Competence>, state: WorkerState): void {
    slot.state = state;
    slot.since = Date.now();
    this.changed();
  }

  private changed(): void {
    this.options.onWorkersChanged?.();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && [...this.slots].every((s) => s.state !== 'busy');
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
