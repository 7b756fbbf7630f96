/**
 * The worker manager: a queue of tasks, a fleet of workers, and a policy that decides which worker
 * may take which task and what a response means (Coq's AsyncTaskQueue), scheduled the way Tezt's
 * Scheduler does it (per-task term and kill timeouts, start/message/finish hooks, timers, stop and
 * clear), on workers that rpc_parallel would recognise (workerProcess.ts). Starting, replacing and
 * ending workers is workerFleet.ts's job. It knows nothing about Coq or LSP.
 */
import { ConnectionClosedError, MarshalError, MessageDecodeError, TaskFailureReason, WorkerSpawnError } from './errors';
import { Hooks } from './hooks';
import type { WorkerExit } from './processStatus';
import { TaskQueue } from './queue';
import { TaskOwner, TaskRecord } from './taskRecord';
import { Timer, TimerSet } from './timers';
import { ExecutionTokens } from './tokens';
import type { PoolOptions, SchedulerContext, TaskHandle, TaskOptions, TaskOutcome, WorkerSnapshot } from './types';
import type { PoolWorker } from './worker';
import { WorkerFleet } from './workerFleet';
import type { Ending, WorkerSlot } from './workerSlot';

export type { PoolOptions, SchedulerContext, TaskHandle, TaskOptions, TaskOutcome, WorkerSnapshot, WorkerState } from './types';

/** What a task's failure is called when its worker ended for this reason. */
const FAILURE_FOR_ENDING: Record<Ending, TaskFailureReason> = {
  killed: 'killed',
  cancelled: 'cancelled',
  timeout: 'timeout',
  stopped: 'cancelled',
  ended: 'worker-died',
  marshal: 'marshal',
  exception: 'exception',
  retired: 'worker-died',
  memory: 'memory',
  destroyed: 'cancelled',
};

export class Pool<Task, Request, Response, Competence> {
  private readonly queue = new TaskQueue<TaskRecord<Task, Response>>();
  private readonly fleet: WorkerFleet<Task, Response, Competence>;
  private readonly hooks: Hooks;
  private readonly timers: TimerSet;
  private readonly tokens: ExecutionTokens | undefined;
  private readonly unsubscribeTokens: (() => void) | undefined;
  private nextTaskId = 1;
  private destroyed = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private dispatching = false;
  private dispatchAgain = false;
  private dispatchScheduled = false;
  private readonly owner: TaskOwner<Task, Response> = { settled: this.settled.bind(this), cancel: this.cancel.bind(this) };

  constructor(private readonly options: PoolOptions<Task, Request, Response, Competence>) {
    this.hooks = new Hooks(options.onHookError);
    this.timers = new TimerSet(
      () => this.notifyIdle(),
      (error) => this.hooks.error(error, 'timer'),
    );
    if (typeof options.tokens === 'number') this.tokens = new ExecutionTokens(options.tokens);
    else if (options.tokens) {
      this.tokens = options.tokens;
      // Shared with other pools: a token they give back may let one of our tasks start.
      this.unsubscribeTokens = options.tokens.onRelease(() => this.scheduleDispatch());
    }
    if (options.order) this.setOrder(options.order);
    this.fleet = new WorkerFleet<Task, Response, Competence>(options, this.hooks, {
      ready: () => this.dispatch(),
      exited: (slot, worker, exit, ending) => this.workerExited(slot, worker, exit, ending),
      feedback: (slot, worker, taskId, feedback) => this.feedback(slot, worker, taskId, feedback),
      gaveUp: (error) => this.gaveUp(error),
      wanted: (live) => {
        if (this.destroyed || this.stopped) return 0;
        // Idle workers retire (Tezt): then workers come back only for queued work.
        const lazy = options.workerIdleTimeoutMs !== undefined;
        return lazy && this.queue.length === 0 ? live : options.size;
      },
    });
    this.fleet.ensure();
  }

  get size(): number {
    return this.options.size;
  }

  /** Queues a task (in the pool's order, by default last) and returns its handle. May be called from any hook. */
  submit(task: Task, options?: TaskOptions<Response>): TaskHandle<Response> {
    const record = this.newRecord(task, options, undefined);
    if (this.destroyed) record.fail('cancelled', 'the pool was shut down');
    else if (this.fleet.gaveUp) record.fail('worker-died', this.fleet.gaveUp.message, { cause: this.fleet.gaveUp });
    else {
      this.queue.push(record);
      this.scheduleDispatch();
    }
    return record;
  }

  /** Cancels every queued and running task for which `predicate` holds, injected children included. */
  cancelWhere(predicate: (task: Task) => boolean): void {
    for (const record of this.queue.toArray()) if (predicate(record.task)) this.cancel(record);
    for (const record of this.runningRecords()) if (predicate(record.task)) this.cancel(record);
  }

  /** A new order for queued and future tasks (undefined: arrival order). Tasks injected by a response stay first. */
  setOrder(order: ((a: Task, b: Task) => number) | undefined): void {
    this.queue.setOrder(order && ((a, b) => order(a.task, b.task)));
    this.scheduleDispatch();
  }

  /** Makes idle workers look again at the tasks they refused (something `taskMatch` depends on changed). */
  broadcast(): void {
    this.dispatch();
  }

  /** A message for every live worker (its handler's `onMessage`), e.g. feedback to forward to all. */
  sendToAllWorkers(message: unknown): void {
    this.fleet.sendToAll(message);
  }

  /** Runs `fn` after `delayMs`; until then `join` waits for it. */
  timer(delayMs: number, fn: () => void): Timer {
    return this.timers.after(delayMs, fn);
  }

  workers(): WorkerSnapshot[] {
    return this.fleet.snapshot(this.options.policy.nameOfTask);
  }

  /** Kills one worker (as a user would); its task fails with reason 'killed', a fresh worker replaces it. */
  killWorker(id: number): Promise<boolean> {
    return this.fleet.kill(id);
  }

  /** Resolves when nothing is queued (or the pool is stopped), no worker is busy and no timer is pending. */
  join(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts no new task and terminates running ones, as if past their term timeout (Tezt). `resume` undoes it. */
  stop(): void {
    if (this.stopped || this.destroyed) return;
    this.stopped = true;
    for (const slot of [...this.fleet.slots.values()]) {
      const record = slot.current;
      if (!record || !slot.worker) continue;
      const worker = slot.worker;
      this.fleet.terminate(slot, worker, 'stopped', record.options.termSignal ?? 'SIGTERM', record.options.killTimeoutMs, () => {
        const hook = this.options.onWorkerKillTimeout;
        if (hook) this.hooks.run('onWorkerKillTimeout', () => hook(worker.name));
      });
    }
    this.notifyIdle();
  }

  /** Starts tasks again after `stop`. */
  resume(): void {
    if (!this.stopped || this.destroyed) return;
    this.stopped = false;
    this.dispatch();
  }

  /** Drops every queued task (reason 'cancelled'); running tasks go on. */
  clear(): void {
    for (const record of this.queue.drain()) {
      record.cancelled = true;
      record.fail('cancelled', 'cleared from the queue before it ran');
    }
    this.notifyIdle();
  }

  /** Empties the queue, cancels running tasks and replaces every worker with a fresh one. */
  async cancelAll(): Promise<void> {
    this.clear();
    const exits: Promise<unknown>[] = [];
    for (const slot of [...this.fleet.slots.values()]) {
      const record = slot.current;
      if (record && !record.cancelled) {
        record.cancelled = true;
        record.fail('cancelled', 'cancelled (all tasks were cancelled)');
        this.reportDeath(record);
      }
      this.fleet.end(slot, 'cancelled');
      if (slot.worker) exits.push(slot.worker.exited);
    }
    await Promise.all(exits);
  }

  /** Fails every task, cancels every timer, ends every worker (those still starting too) and waits until all are gone. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    this.timers.cancelAll();
    this.unsubscribeTokens?.();
    for (const record of this.queue.drain()) record.fail('cancelled', 'the pool was shut down');
    for (const record of this.runningRecords()) {
      // Coq's destroy ends workers without the cancellation callback.
      record.deathReported = true;
      record.cancelled = true;
      record.fail('cancelled', 'the pool was shut down');
    }
    await this.fleet.close();
    this.notifyIdle();
  }

  // ---- tasks -------------------------------------------------------------------------------

  private newRecord(task: Task, options: TaskOptions<Response> | undefined, parent: TaskRecord<Task, Response> | undefined) {
    return new TaskRecord<Task, Response>(this.nextTaskId++, task, options, parent, this.owner);
  }

  private runningRecords(): TaskRecord<Task, Response>[] {
    const running: TaskRecord<Task, Response>[] = [];
    for (const slot of this.fleet.slots.values()) if (slot.current) running.push(slot.current);
    return running;
  }

  private settled(record: TaskRecord<Task, Response>, outcome: TaskOutcome<Response>): void {
    const onFinish = record.options.onFinish;
    if (record.started && onFinish) this.hooks.run('onFinish', () => onFinish(outcome));
    const poolOnFinish = this.options.onFinish;
    if (poolOnFinish) this.hooks.run('onFinish', () => poolOnFinish(record.task, outcome));
  }

  private cancel(record: TaskRecord<Task, Response>): void {
    this.cancelOne(record);
    // Injected tasks share their parent's cancellation, even when the parent itself has finished.
    for (const queued of this.queue.toArray()) if (queued.descendsFrom(record)) this.cancelOne(queued);
    for (const running of this.runningRecords()) if (running.descendsFrom(record)) this.cancelOne(running);
    this.notifyIdle();
  }

  private cancelOne(record: TaskRecord<Task, Response>): void {
    if (record.settled) return;
    record.cancelled = true;
    if (this.queue.remove(record)) {
      record.fail('cancelled', 'cancelled before it ran');
      return;
    }
    const slot = [...this.fleet.slots.values()].find((s) => s.current === record);
    record.fail('cancelled', 'cancelled while running');
    if (!slot?.worker) return;
    this.reportDeath(record);
    // Ask nicely first; a worker that does not stop in time is killed and replaced.
    const worker = slot.worker;
    worker.interrupt(record.id);
    const timer = setTimeout(() => {
      if (slot.worker === worker && slot.current === record) this.fleet.end(slot, 'cancelled');
    }, this.options.cancelGraceMs ?? 2000);
    (record.timers ??= []).push(timer);
  }

  /** `onCancelExpireOrDeath(task)`, at most once per task. */
  private reportDeath(record: TaskRecord<Task, Response>): void {
    if (record.deathReported) return;
    record.deathReported = true;
    const hook = this.options.policy.onCancelExpireOrDeath;
    if (hook) this.hooks.run('onCancelExpireOrDeath', () => hook(record.task));
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  /** Gives queued tasks to idle workers: the first task (in queue order) some idle worker matches goes to the cheapest such worker. */
  private dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.dispatchAgain = false;
        this.dispatchRound();
      } while (this.dispatchAgain);
    } finally {
      this.dispatching = false;
    }
    this.fleet.ensure();
    this.notifyIdle();
  }

  private dispatchRound(): void {
    if (this.destroyed || this.stopped) return;
    let askedForMore = false;
    for (;;) {
      if (this.tokens && this.tokens.available === 0) return;
      const idle = this.fleet.available();
      if (idle.length === 0) return;
      if (this.queue.length === 0) {
        const onEmptyQueue = this.options.onEmptyQueue;
        if (askedForMore || !onEmptyQueue) return;
        askedForMore = true;
        this.hooks.run('onEmptyQueue', onEmptyQueue);
        continue;
      }
      let chosen: WorkerSlot<Task, Response, Competence> | undefined;
      const record = this.queue.find((candidate) => (chosen = this.cheapest(idle, candidate)) !== undefined);
      if (!record || !chosen) return;
      this.queue.remove(record);
      this.start(chosen, record);
    }
  }

  private cheapest(idle: WorkerSlot<Task, Response, Competence>[], record: TaskRecord<Task, Response>) {
    const policy = this.options.policy;
    let best: WorkerSlot<Task, Response, Competence> | undefined;
    let bestCost = Infinity;
    for (const slot of idle) {
      try {
        if (!policy.taskMatch(slot.status, record.task)) continue;
        const cost = policy.cost ? policy.cost(slot.status, record.task) : 0;
        if (cost < bestCost) [best, bestCost] = [slot, cost];
      } catch (error) {
        this.hooks.error(error, 'taskMatch');
      }
    }
    return best;
  }

  private start(slot: WorkerSlot<Task, Response, Competence>, record: TaskRecord<Task, Response>): void {
    const worker = slot.worker!;
    let request: Request | undefined;
    try {
      request = this.options.policy.requestOfTask(slot.status, record.task);
    } catch (error) {
      this.hooks.error(error, 'requestOfTask');
      record.fail('exception', `the policy could not make a request: ${messageOf(error)}`, { cause: error });
      return;
    }
    if (request === undefined) {
      // Expired (Coq: "Task expired"): dropped unsent, no callback, the worker stays idle. Only the
      // handle, which Coq does not have, settles (reason 'expired').
      record.fail('expired', 'expired before it ran');
      return;
    }
    this.tokens?.tryAcquire();
    slot.current = record;
    record.started = true;
    this.fleet.setBusy(slot);
    worker.run(record.id, request).then(
      (response) => this.onResponse(slot, worker, record, response),
      (error: unknown) => this.onRunError(slot, worker, record, error),
    );
    this.armTimeouts(slot, worker, record);
    const onStart = record.options.onStart;
    if (onStart) this.hooks.run('onStart', () => onStart(this.contextFor(slot, worker, record)));
  }

  private contextFor(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, record: TaskRecord<Task, Response>): SchedulerContext {
    return {
      taskId: record.id,
      worker: worker.name,
      send: (message) => {
        if (slot.current === record && worker.alive) worker.send(record.id, message);
      },
    };
  }

  /** Tezt: termSignal after termTimeout, SIGKILL killTimeout after that (or after the start, alone). */
  private armTimeouts(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, record: TaskRecord<Task, Response>): void {
    const { termTimeoutMs, killTimeoutMs, termSignal = 'SIGTERM', onTermTimeout, onKillTimeout } = record.options;
    const killHook = onKillTimeout && (() => this.hooks.run('onKillTimeout', onKillTimeout));
    if (termTimeoutMs !== undefined) {
      record.timers = [
        setTimeout(() => {
          if (slot.current !== record) return;
          if (onTermTimeout) this.hooks.run('onTermTimeout', onTermTimeout);
          this.fleet.terminate(slot, worker, 'timeout', termSignal, killTimeoutMs, killTimeoutMs !== undefined ? killHook : undefined);
        }, termTimeoutMs),
      ];
    } else if (killTimeoutMs !== undefined) {
      record.timers = [
        setTimeout(() => {
          if (slot.current !== record) return;
          killHook?.();
          this.fleet.end(slot, 'timeout');
        }, killTimeoutMs),
      ];
    }
  }

  private onResponse(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, record: TaskRecord<Task, Response>, response: unknown): void {
    if (slot.current !== record || slot.worker !== worker) return;
    record.clearTimers();
    this.releaseSlot(slot);
    slot.tasksDone++;
    const policy = this.options.policy;
    if (slot.ending) {
      // It answered after being told to end (Tezt: it ended gracefully): the answer counts, the worker still goes.
      record.succeed(response as Response);
      return;
    }
    if (record.cancelled) {
      // It answered an interrupt: what it holds now is unknown, so it starts over as fresh.
      slot.becomeFresh();
      this.fleet.becomeIdle(slot);
      this.dispatch();
      return;
    }
    if (policy.isResponse && !policy.isResponse(response)) {
      this.marshalFailure(slot, record, new MessageDecodeError('pool/run', 'result', `a response of the policy for ${policy.nameOfTask(record.task)}`));
      return;
    }
    let use: ReturnType<typeof policy.useResponse>;
    try {
      use = policy.useResponse(slot.status, record.task, response as Response);
    } catch (error) {
      this.hooks.error(error, 'useResponse');
      record.fail('exception', `the policy could not use the response: ${messageOf(error)}`, { cause: error });
      this.fleet.end(slot, 'exception');
      return;
    }
    if (use === 'end') {
      this.fleet.end(slot, 'ended');
      record.succeed(response as Response);
      return;
    }
    slot.status = { kind: 'old', competence: use.stay };
    // Injected before this worker picks again, and before anything else queued.
    if (use.inject?.length) this.queue.pushFront(use.inject.map((task) => this.newRecord(task, undefined, record)));
    this.fleet.becomeIdle(slot);
    record.succeed(response as Response);
    this.dispatch();
  }

  private onRunError(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, record: TaskRecord<Task, Response>, error: unknown): void {
    if (slot.current !== record || slot.worker !== worker) return;
    // The worker is going away: its exit settles the task, naming how it ended.
    if (error instanceof ConnectionClosedError) return;
    record.clearTimers();
    if (error instanceof MarshalError) {
      this.marshalFailure(slot, record, error);
      return;
    }
    this.releaseSlot(slot);
    slot.tasksDone++;
    // The handler threw; the worker keeps serving, but what it holds is unknown.
    slot.becomeFresh();
    if (!slot.ending) this.fleet.becomeIdle(slot);
    record.fail('exception', `${worker.name}: ${messageOf(error)}`, { cause: error });
    this.dispatch();
  }

  /** Coq: `on_marshal_error`, then the worker dies (and is replaced); the task fails, the pool goes on. */
  private marshalFailure(slot: WorkerSlot<Task, Response, Competence>, record: TaskRecord<Task, Response>, error: MarshalError): void {
    this.releaseSlot(slot);
    const hook = this.options.policy.onMarshalError;
    if (hook) this.hooks.run('onMarshalError', () => hook(error.message, record.task));
    record.fail('marshal', `${slot.name}: ${error.message}`, { cause: error });
    this.fleet.end(slot, 'marshal');
  }

  /** The slot's task is over for the pool: give back its token. */
  private releaseSlot(slot: WorkerSlot<Task, Response, Competence>): void {
    slot.current = undefined;
    this.tokens?.release();
  }

  // ---- workers' events ---------------------------------------------------------------------

  private feedback(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, taskId: number | undefined, feedback: unknown): void {
    if (taskId === undefined) {
      const hook = this.options.onMessage;
      if (hook) this.hooks.run('onMessage', () => hook(worker.name, feedback));
      return;
    }
    const record = slot.current;
    if (!record || record.id !== taskId || record.cancelled) return;
    const forward = this.options.policy.forwardFeedback;
    if (forward) this.hooks.run('forwardFeedback', () => forward(feedback, record.task));
    const onMessage = record.options.onMessage;
    if (onMessage) this.hooks.run('onMessage', () => onMessage(this.contextFor(slot, worker, record), feedback));
    const onFeedback = this.options.onFeedback;
    if (onFeedback) this.hooks.run('onFeedback', () => onFeedback(record.task, feedback));
  }

  private workerExited(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, exit: WorkerExit, ending: Ending | undefined): void {
    const record = slot.current;
    if (record) {
      record.clearTimers();
      this.releaseSlot(slot);
      const reason = ending ? FAILURE_FOR_ENDING[ending] : 'worker-died';
      record.fail(reason, this.failureMessage(reason, slot, worker, exit), { exit });
      this.reportDeath(record);
    } else if (!ending || ending === 'killed') {
      const hook = this.options.policy.onCancelExpireOrDeath;
      if (hook) this.hooks.run('onCancelExpireOrDeath', () => hook(undefined));
    }
    this.dispatch();
  }

  private failureMessage(reason: TaskFailureReason, slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, exit: WorkerExit): string {
    switch (reason) {
      case 'killed':
        return `${worker.name} was killed`;
      case 'timeout':
        return `timed out: ${exit.description}`;
      case 'memory':
        return `${worker.name} exceeded the worker memory limit (${mebibytes(this.options.memoryLimitBytes ?? 0)} MiB), holding ${mebibytes(slot.overMemoryBytes ?? 0)} MiB`;
      default:
        return exit.description;
    }
  }

  private gaveUp(error: WorkerSpawnError): void {
    for (const record of this.queue.drain()) record.fail('worker-died', error.message, { cause: error });
    const hook = this.options.onSpawnFailure;
    if (hook) this.hooks.run('onSpawnFailure', () => hook(error));
    this.notifyIdle();
  }

  private isIdle(): boolean {
    if (this.timers.pendingCount > 0) return false;
    if (!this.stopped && this.queue.length > 0) return false;
    return !this.fleet.anyBusy();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function mebibytes(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
