/**
 * The worker manager: a queue of tasks, a set of workers, and a policy that decides which worker
 * may take which task and what a response means (Coq's AsyncTaskQueue), scheduled the way Tezt's
 * Scheduler does it (per-task term and kill timeouts, start/message/finish hooks, timers, idle
 * workers retiring, stop and clear), on workers that rpc_parallel would recognise (see
 * workerProcess.ts). It knows nothing about Coq or LSP.
 */
import { ConnectionClosedError, MarshalError, MessageDecodeError, TaskFailureReason, WorkerSpawnError } from './errors';
import { MemoryWatch } from './memoryWatch';
import type { WorkerExit } from './processStatus';
import { TaskQueue } from './queue';
import { TaskRecord } from './taskRecord';
import { Timer, TimerSet } from './timers';
import { ExecutionTokens } from './tokens';
import type { PoolOptions, SchedulerContext, TaskHandle, TaskOptions, TaskOutcome, WorkerSnapshot } from './types';
import type { PoolWorker } from './worker';
import { Ending, WorkerSlot } from './workerSlot';

export type { PoolOptions, SchedulerContext, TaskHandle, TaskOptions, TaskOutcome, WorkerSnapshot, WorkerState } from './types';

/**
 * A worker sent a termination signal is killed this long after, when neither the task nor the
 * pool set a kill timeout. Deliberate deviation from Tezt (which would wait forever): a worker
 * that ignores the signal must not hold its place in the pool for good.
 */
const DEFAULT_KILL_AFTER_TERM_MS = 10_000;

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
  memory: 'worker-died',
  destroyed: 'cancelled',
};

export class Pool<Task, Request, Response, Competence> {
  private readonly queue = new TaskQueue<TaskRecord<Task, Response>>();
  private readonly slots = new Map<number, WorkerSlot<Task, Response, Competence>>();
  private readonly timers: TimerSet;
  private readonly tokens: ExecutionTokens | undefined;
  private readonly unsubscribeTokens: (() => void) | undefined;
  private readonly memoryWatch: MemoryWatch | undefined;
  /** Spawns under way, so that `destroy` can wait for (and end) workers still starting. */
  private readonly spawning = new Set<Promise<unknown>>();
  private nextTaskId = 1;
  private nextWorkerId = 1;
  private spawnFailures = 0;
  private destroyed = false;
  private stopped = false;
  private gaveUp: WorkerSpawnError | undefined;
  private idleWaiters: (() => void)[] = [];
  private dispatching = false;
  private dispatchAgain = false;
  private dispatchScheduled = false;
  private readonly owner = { settled: this.settled.bind(this), cancel: this.cancel.bind(this) };

  constructor(private readonly options: PoolOptions<Task, Request, Response, Competence>) {
    this.timers = new TimerSet(
      () => this.notifyIdle(),
      (error) => this.reportHookError(error, 'timer'),
    );
    if (typeof options.tokens === 'number') this.tokens = new ExecutionTokens(options.tokens);
    else if (options.tokens) {
      this.tokens = options.tokens;
      // Shared with other pools: a token they give back may let one of our tasks start.
      this.unsubscribeTokens = options.tokens.onRelease(() => this.scheduleDispatch());
    }
    if (options.memoryLimitBytes) {
      this.memoryWatch = new MemoryWatch(
        options.memoryLimitBytes,
        options.memoryCheckIntervalMs ?? 2000,
        () => [...this.slots.values()].map((slot) => (slot.ending ? -1 : (slot.worker?.pid ?? -1))),
        (pid, bytes) => this.overMemory(pid, bytes),
      );
    }
    if (options.order) this.setOrder(options.order);
    for (let i = 0; i < options.size; i++) this.startWorker();
  }

  get size(): number {
    return this.options.size;
  }

  /** Queues a task (in the pool's order, by default last) and returns its handle. May be called from any hook. */
  submit(task: Task, options?: TaskOptions<Response>): TaskHandle<Response> {
    const record = this.newRecord(task, options, undefined);
    if (this.destroyed) record.fail('cancelled', 'the pool was shut down');
    else if (this.gaveUp) record.fail('worker-died', this.gaveUp.message, { cause: this.gaveUp });
    else {
      this.queue.push(record);
      this.scheduleDispatch();
    }
    return record;
  }

  /** Cancels every queued and running task for which `predicate` holds, injected children included. */
  cancelWhere(predicate: (task: Task) => boolean): void {
    for (const record of this.queue.toArray()) if (predicate(record.task)) this.cancel(record);
    for (const slot of [...this.slots.values()]) if (slot.current && predicate(slot.current.task)) this.cancel(slot.current);
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
    for (const slot of this.slots.values()) if (slot.worker?.alive) slot.worker.send(undefined, message);
  }

  /** Runs `fn` after `delayMs`; until then `join` waits for it. */
  timer(delayMs: number, fn: () => void): Timer {
    return this.timers.after(delayMs, fn);
  }

  workers(): WorkerSnapshot[] {
    return [...this.slots.values()].map((slot) => ({
      id: slot.id,
      name: slot.name,
      pid: slot.worker?.pid ?? -1,
      state: slot.state,
      task: slot.current ? this.options.policy.nameOfTask(slot.current.task) : undefined,
      since: slot.since,
      tasksDone: slot.tasksDone,
      status: slot.status.kind,
      ending: slot.ending,
    }));
  }

  /** Kills one worker (as a user would); its task fails with reason 'killed', a fresh worker replaces it. */
  async killWorker(id: number): Promise<boolean> {
    const slot = this.slots.get(id);
    if (!slot?.worker) return false;
    slot.ending = 'killed';
    this.changed();
    await slot.worker.kill();
    return true;
  }

  /** Resolves when nothing is queued (or the pool is stopped), no worker is busy and no timer is pending. */
  join(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts no new task and terminates running ones (their workers get the term signal). `resume` undoes it. */
  stop(): void {
    if (this.stopped || this.destroyed) return;
    this.stopped = true;
    for (const slot of this.slots.values()) {
      const record = slot.current;
      if (!record || !slot.worker) continue;
      this.terminate(slot, slot.worker, 'stopped', record.options.termSignal ?? 'SIGTERM', record.options.killTimeoutMs, false);
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
    for (const record of this.queue.drain()) {
      record.cancelled = true;
      record.fail('cancelled', 'cancelled (all tasks were cancelled)');
    }
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots.values()) {
      const record = slot.current;
      if (record && !record.cancelled) {
        record.cancelled = true;
        record.fail('cancelled', 'cancelled (all tasks were cancelled)');
        this.reportDeath(record);
      }
      this.endWorker(slot, 'cancelled');
      if (slot.worker) exits.push(slot.worker.exited);
    }
    await Promise.all(exits);
  }

  /** Fails every task, cancels every timer, ends every worker (those still starting too) and waits until all are gone. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    this.timers.cancelAll();
    this.memoryWatch?.stop();
    this.unsubscribeTokens?.();
    for (const record of this.queue.drain()) record.fail('cancelled', 'the pool was shut down');
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots.values()) {
      const record = slot.current;
      if (record) {
        // Coq's destroy ends workers without the cancellation callback.
        record.deathReported = true;
        record.cancelled = true;
        record.fail('cancelled', 'the pool was shut down');
      }
      this.endWorker(slot, 'destroyed');
      if (slot.worker) exits.push(slot.worker.exited);
    }
    await Promise.all([...exits, ...this.spawning]);
    this.slots.clear();
    this.notifyIdle();
  }

  // ---- tasks -------------------------------------------------------------------------------

  private newRecord(task: Task, options: TaskOptions<Response> | undefined, parent: TaskRecord<Task, Response> | undefined) {
    return new TaskRecord<Task, Response>(this.nextTaskId++, task, options, parent, this.owner);
  }

  private settled(record: TaskRecord<Task, Response>, outcome: TaskOutcome<Response>): void {
    const onFinish = record.options.onFinish;
    if (record.started && onFinish) this.hook('onFinish', () => onFinish(outcome));
    if (this.options.onFinish) this.hook('onFinish', () => this.options.onFinish!(record.task, outcome));
  }

  private cancel(record: TaskRecord<Task, Response>): void {
    this.cancelOne(record);
    // Injected tasks share their parent's cancellation, even when the parent itself has finished.
    for (const queued of this.queue.toArray()) if (queued.descendsFrom(record)) this.cancelOne(queued);
    for (const slot of [...this.slots.values()]) if (slot.current?.descendsFrom(record)) this.cancelOne(slot.current);
    this.notifyIdle();
  }

  private cancelOne(record: TaskRecord<Task, Response>): void {
    if (record.settled) return;
    record.cancelled = true;
    if (this.queue.remove(record)) {
      record.fail('cancelled', 'cancelled before it ran');
      return;
    }
    const slot = [...this.slots.values()].find((s) => s.current === record);
    record.fail('cancelled', 'cancelled while running');
    if (!slot?.worker) return;
    this.reportDeath(record);
    // Ask nicely first; a worker that does not stop in time is killed and replaced.
    const worker = slot.worker;
    worker.interrupt(record.id);
    const timer = setTimeout(() => {
      if (slot.worker === worker && slot.current === record) this.endWorker(slot, 'cancelled');
    }, this.options.cancelGraceMs ?? 2000);
    (record.timers ??= []).push(timer);
  }

  /** `onCancelExpireOrDeath(task)`, at most once per task. */
  private reportDeath(record: TaskRecord<Task, Response>): void {
    if (record.deathReported) return;
    record.deathReported = true;
    const hook = this.options.policy.onCancelExpireOrDeath;
    if (hook) this.hook('onCancelExpireOrDeath', () => hook(record.task));
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
    this.ensureWorkers();
    this.notifyIdle();
  }

  private dispatchRound(): void {
    if (this.destroyed || this.stopped) return;
    let askedForMore = false;
    for (;;) {
      if (this.tokens && this.tokens.available === 0) return;
      const idle: WorkerSlot<Task, Response, Competence>[] = [];
      for (const slot of this.slots.values()) if (slot.available) idle.push(slot);
      if (idle.length === 0) return;
      if (this.queue.length === 0) {
        if (askedForMore || !this.options.onEmptyQueue) return;
        askedForMore = true;
        this.hook('onEmptyQueue', () => this.options.onEmptyQueue!());
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
        this.reportHookError(error, 'taskMatch');
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
      this.reportHookError(error, 'requestOfTask');
      record.fail('exception', `the policy could not make a request: ${messageOf(error)}`, { cause: error });
      return;
    }
    if (request === undefined) {
      // Expired (Coq: "Task expired"): dropped unsent, no callback, the worker stays idle.
      record.fail('expired', 'expired before it ran');
      return;
    }
    this.tokens?.tryAcquire();
    slot.current = record;
    record.started = true;
    this.setState(slot, 'busy');
    worker.run(record.id, request).then(
      (response) => this.onResponse(slot, worker, record, response),
      (error: unknown) => this.onRunError(slot, worker, record, error),
    );
    this.armTimeouts(slot, worker, record);
    const onStart = record.options.onStart;
    if (onStart) this.hook('onStart', () => onStart(this.contextFor(slot, worker, record)));
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
    if (termTimeoutMs !== undefined) {
      record.timers = [
        setTimeout(() => {
          if (slot.current !== record) return;
          if (onTermTimeout) this.hook('onTermTimeout', onTermTimeout);
          this.terminate(slot, worker, 'timeout', termSignal, killTimeoutMs, true);
        }, termTimeoutMs),
      ];
    } else if (killTimeoutMs !== undefined) {
      record.timers = [
        setTimeout(() => {
          if (slot.current !== record) return;
          if (onKillTimeout) this.hook('onKillTimeout', onKillTimeout);
          this.endWorker(slot, 'timeout');
        }, killTimeoutMs),
      ];
    }
  }

  /** Sends the term signal to a busy worker, then SIGKILL if it has not ended `killAfterMs` later. */
  private terminate(
    slot: WorkerSlot<Task, Response, Competence>,
    worker: PoolWorker,
    ending: Ending,
    signal: NodeJS.Signals,
    killAfterMs: number | undefined,
    taskKillHook: boolean,
  ): void {
    if (slot.ending) return;
    slot.ending = ending;
    this.changed();
    worker.signal(signal);
    const record = slot.current;
    const after = killAfterMs ?? this.options.workerKillTimeoutMs ?? DEFAULT_KILL_AFTER_TERM_MS;
    slot.addTimer(
      setTimeout(() => {
        if (!worker.alive) return;
        if (taskKillHook && killAfterMs !== undefined && record?.options.onKillTimeout) this.hook('onKillTimeout', record.options.onKillTimeout);
        else if (!taskKillHook && this.options.onWorkerKillTimeout) this.hook('onWorkerKillTimeout', () => this.options.onWorkerKillTimeout!(worker.name));
        void worker.kill();
      }, after),
    );
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
      this.becomeIdle(slot);
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
      this.reportHookError(error, 'useResponse');
      record.fail('exception', `the policy could not use the response: ${messageOf(error)}`, { cause: error });
      this.endWorker(slot, 'exception');
      return;
    }
    if (use === 'end') {
      this.endWorker(slot, 'ended');
      record.succeed(response as Response);
      return;
    }
    slot.status = { kind: 'old', competence: use.stay };
    // Injected before this worker picks again, and before anything else queued.
    if (use.inject?.length) this.queue.pushFront(use.inject.map((task) => this.newRecord(task, undefined, record)));
    this.becomeIdle(slot);
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
    if (!slot.ending) this.becomeIdle(slot);
    record.fail('exception', `${worker.name}: ${messageOf(error)}`, { cause: error });
    this.dispatch();
  }

  /** Coq: `on_marshal_error`, then the worker dies (and is replaced); the task fails, the pool goes on. */
  private marshalFailure(slot: WorkerSlot<Task, Response, Competence>, record: TaskRecord<Task, Response>, error: MarshalError): void {
    this.releaseSlot(slot);
    const hook = this.options.policy.onMarshalError;
    if (hook) this.hook('onMarshalError', () => hook(error.message, record.task));
    record.fail('marshal', `${slot.name}: ${error.message}`, { cause: error });
    this.endWorker(slot, 'marshal');
  }

  /** The slot's task is over for the pool: give back its token. */
  private releaseSlot(slot: WorkerSlot<Task, Response, Competence>): void {
    slot.current = undefined;
    this.tokens?.release();
  }

  // ---- workers -----------------------------------------------------------------------------

  private startWorker(): void {
    const id = this.nextWorkerId++;
    const slot = new WorkerSlot<Task, Response, Competence>(id, `worker ${id}`);
    this.slots.set(id, slot);
    this.changed();
    const spawned = this.options.spawn(slot.name).then(
      (worker) => this.workerReady(slot, worker),
      (error: unknown) => this.spawnFailed(slot, error),
    );
    this.spawning.add(spawned);
    void spawned.finally(() => this.spawning.delete(spawned));
  }

  private async workerReady(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker): Promise<void> {
    slot.worker = worker;
    if (this.destroyed || slot.ending) {
      await worker.kill();
      this.slots.delete(slot.id);
      this.changed();
      return;
    }
    this.spawnFailures = 0;
    worker.onFeedback((taskId, feedback) => this.onFeedback(slot, worker, taskId, feedback));
    void worker.exited.then((exit) => this.onWorkerExit(slot, worker, exit));
    this.becomeIdle(slot);
    this.dispatch();
  }

  private spawnFailed(slot: WorkerSlot<Task, Response, Competence>, error: unknown): void {
    this.slots.delete(slot.id);
    this.changed();
    if (this.destroyed || slot.ending) return;
    const spawnError = error instanceof WorkerSpawnError ? error : new WorkerSpawnError(messageOf(error), { cause: error });
    if (++this.spawnFailures >= (this.options.maxSpawnFailures ?? 3)) this.giveUp(spawnError);
    else this.startWorker();
  }

  private giveUp(error: WorkerSpawnError): void {
    if (this.gaveUp) return;
    this.gaveUp = error;
    for (const record of this.queue.drain()) record.fail('worker-died', error.message, { cause: error });
    const hook = this.options.onSpawnFailure;
    if (hook) this.hook('onSpawnFailure', () => hook(error));
    this.changed();
    this.notifyIdle();
  }

  private onFeedback(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, taskId: number | undefined, feedback: unknown): void {
    if (taskId === undefined) {
      const hook = this.options.onMessage;
      if (hook) this.hook('onMessage', () => hook(worker.name, feedback));
      return;
    }
    const record = slot.current;
    if (!record || record.id !== taskId || record.cancelled) return;
    const forward = this.options.policy.forwardFeedback;
    if (forward) this.hook('forwardFeedback', () => forward(feedback, record.task));
    const onMessage = record.options.onMessage;
    if (onMessage) this.hook('onMessage', () => onMessage(this.contextFor(slot, worker, record), feedback));
    const onFeedback = this.options.onFeedback;
    if (onFeedback) this.hook('onFeedback', () => onFeedback(record.task, feedback));
  }

  private onWorkerExit(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, exit: WorkerExit): void {
    if (slot.worker !== worker || !this.slots.has(slot.id)) return;
    this.slots.delete(slot.id);
    slot.clearTimers();
    const ending = slot.ending;
    if (!ending && this.options.onUnexpectedWorkerExit) this.hook('onUnexpectedWorkerExit', () => this.options.onUnexpectedWorkerExit!(worker.name, exit));
    if (ending === 'retired' && this.options.onWorkerRetired) this.hook('onWorkerRetired', () => this.options.onWorkerRetired!(worker.name, exit));
    const record = slot.current;
    if (record) {
      record.clearTimers();
      this.releaseSlot(slot);
      const reason = ending ? FAILURE_FOR_ENDING[ending] : 'worker-died';
      const message =
        reason === 'killed' ? `${worker.name} was killed` : reason === 'timeout' ? `timed out: ${exit.description}` : exit.description;
      record.fail(reason, message, { exit });
      this.reportDeath(record);
    } else if (!ending || ending === 'killed') {
      const hook = this.options.policy.onCancelExpireOrDeath;
      if (hook) this.hook('onCancelExpireOrDeath', () => hook(undefined));
    }
    this.changed();
    this.dispatch();
  }

  private overMemory(pid: number, bytes: number): void {
    const slot = [...this.slots.values()].find((s) => s.worker?.pid === pid);
    if (!slot || slot.ending || slot.overMemory) return;
    slot.overMemory = true;
    const hook = this.options.onWorkerOverMemory;
    if (hook) this.hook('onWorkerOverMemory', () => hook(slot.name, bytes));
    // A busy worker finishes its task first (see onResponse).
    if (slot.available) this.endWorker(slot, 'memory');
  }

  /** Keeps `size` workers (when idle workers retire: only while tasks wait). */
  private ensureWorkers(): void {
    if (this.destroyed || this.gaveUp || this.stopped) return;
    let live = 0;
    for (const slot of this.slots.values()) if (!slot.ending) live++;
    const lazy = this.options.workerIdleTimeoutMs !== undefined;
    const wanted = lazy && this.queue.length === 0 ? live : this.options.size;
    for (; live < wanted; live++) this.startWorker();
  }

  /** Ends a worker for a reason of the pool's (so its exit is expected); it is replaced on exit. */
  private endWorker(slot: WorkerSlot<Task, Response, Competence>, ending: Ending): void {
    slot.ending ??= ending;
    this.changed();
    void slot.worker?.kill();
  }

  private becomeIdle(slot: WorkerSlot<Task, Response, Competence>): void {
    if (slot.overMemory) {
      this.endWorker(slot, 'memory');
      return;
    }
    this.setState(slot, 'idle');
    const idleMs = this.options.workerIdleTimeoutMs;
    if (idleMs === undefined) return;
    const worker = slot.worker!;
    slot.addTimer(
      setTimeout(() => {
        // Tezt: a worker not given a task for this long stops (SIGTERM, then SIGKILL).
        if (slot.available && slot.worker === worker) {
          slot.ending = 'retired';
          this.changed();
          worker.signal('SIGTERM');
          const killAfter = this.options.workerKillTimeoutMs ?? DEFAULT_KILL_AFTER_TERM_MS;
          slot.addTimer(
            setTimeout(() => {
              if (!worker.alive) return;
              const hook = this.options.onWorkerKillTimeout;
              if (hook && this.options.workerKillTimeoutMs !== undefined) this.hook('onWorkerKillTimeout', () => hook(worker.name));
              void worker.kill();
            }, killAfter),
          );
        }
      }, idleMs),
    );
  }

  private setState(slot: WorkerSlot<Task, Response, Competence>, state: 'idle' | 'busy'): void {
    if (state === 'busy') slot.clearTimers();
    slot.state = state;
    slot.since = Date.now();
    this.changed();
  }

  private changed(): void {
    const hook = this.options.onWorkersChanged;
    if (hook) this.hook('onWorkersChanged', hook);
  }

  private isIdle(): boolean {
    if (this.timers.pendingCount > 0) return false;
    if (!this.stopped && this.queue.length > 0) return false;
    for (const slot of this.slots.values()) if (slot.state === 'busy') return false;
    return true;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  // ---- hooks -------------------------------------------------------------------------------

  /** Runs a user hook: whatever it throws is reported, never thrown into the pool. */
  private hook(name: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.reportHookError(error, name);
    }
  }

  private reportHookError(error: unknown, hook: string): void {
    try {
      if (this.options.onHookError) this.options.onHookError(error, hook);
      else console.error(`pool: ${hook} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } catch {
      // A reporter that throws has nobody left to report to.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
