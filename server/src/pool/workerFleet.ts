/**
 * The pool's workers as a whole: starting them (and giving up when they keep failing to start),
 * replacing the ones that end, ending them for the pool's reasons (kill, term signal then kill,
 * idle retirement, memory: at once, even mid-task), and telling the pool when one is ready or gone. What a worker's end
 * means for its task is the pool's business (pool.ts).
 */
import { WorkerSpawnError } from './errors';
import type { Hooks } from './hooks';
import { MemoryWatch } from './memoryWatch';
import type { WorkerExit } from './processStatus';
import type { PoolOptions, WorkerSnapshot } from './types';
import type { PoolWorker } from './worker';
import { Ending, WorkerSlot } from './workerSlot';

/**
 * A worker sent a termination signal is killed this long after, when nobody set a kill timeout.
 * Deliberate deviation from Tezt (which would wait forever): a worker that ignores the signal
 * must not hold its place in the pool for good.
 */
const DEFAULT_KILL_AFTER_TERM_MS = 10_000;

/**
 * How often workers' memory is read. A proof that allocates fast (Coq builds a few hundred MB a
 * second) passes the limit by about this much times its rate before it is stopped; one scan of
 * /proc costs well under a millisecond per hundred processes.
 */
const DEFAULT_MEMORY_CHECK_MS = 500;

export type FleetOptions = Pick<
  PoolOptions<never, never, never, never>,
  | 'spawn'
  | 'onWorkersChanged'
  | 'onUnexpectedWorkerExit'
  | 'workerIdleTimeoutMs'
  | 'workerKillTimeoutMs'
  | 'onWorkerKillTimeout'
  | 'onWorkerRetired'
  | 'memoryLimitBytes'
  | 'memoryCheckIntervalMs'
  | 'onWorkerOverMemory'
  | 'maxSpawnFailures'
>;

export interface FleetEvents<Task, Response, Competence> {
  /** A worker has started and is idle. */
  ready(slot: WorkerSlot<Task, Response, Competence>): void;
  /** A worker has ended (`ending`: why the pool ended it; none: unexpectedly). */
  exited(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, exit: WorkerExit, ending: Ending | undefined): void;
  feedback(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, taskId: number | undefined, feedback: unknown): void;
  /** Workers kept failing to start: no more attempts. */
  gaveUp(error: WorkerSpawnError): void;
  /** How many workers to have now, given how many are alive and not ending. */
  wanted(live: number): number;
}

export class WorkerFleet<Task, Response, Competence> {
  readonly slots = new Map<number, WorkerSlot<Task, Response, Competence>>();
  gaveUp: WorkerSpawnError | undefined;
  /** Spawns under way, so that `close` can wait for (and end) workers still starting. */
  private readonly spawning = new Set<Promise<unknown>>();
  private readonly memoryWatch: MemoryWatch | undefined;
  private nextId = 1;
  private spawnFailures = 0;
  private closed = false;

  constructor(
    private readonly options: FleetOptions,
    private readonly hooks: Hooks,
    private readonly events: FleetEvents<Task, Response, Competence>,
  ) {
    if (options.memoryLimitBytes) {
      this.memoryWatch = new MemoryWatch(
        options.memoryLimitBytes,
        options.memoryCheckIntervalMs ?? DEFAULT_MEMORY_CHECK_MS,
        () => [...this.slots.values()].map((slot) => (slot.ending ? -1 : (slot.worker?.pid ?? -1))),
        (pid, bytes) => this.overMemory(pid, bytes),
      );
    }
  }

  /** Starts or replaces workers until there are as many as wanted. */
  ensure(): void {
    if (this.closed || this.gaveUp) return;
    let live = 0;
    for (const slot of this.slots.values()) if (!slot.ending) live++;
    for (const wanted = this.events.wanted(live); live < wanted; live++) this.startWorker();
  }

  /** Idle workers free to take a task, in the order they were started. */
  available(): WorkerSlot<Task, Response, Competence>[] {
    const idle: WorkerSlot<Task, Response, Competence>[] = [];
    for (const slot of this.slots.values()) if (slot.available) idle.push(slot);
    return idle;
  }

  anyBusy(): boolean {
    for (const slot of this.slots.values()) if (slot.state === 'busy') return true;
    return false;
  }

  snapshot(nameOfTask: (task: Task) => string): WorkerSnapshot[] {
    return [...this.slots.values()].map((slot) => ({
      id: slot.id,
      name: slot.name,
      pid: slot.worker?.pid ?? -1,
      state: slot.state,
      task: slot.current ? nameOfTask(slot.current.task) : undefined,
      since: slot.since,
      tasksDone: slot.tasksDone,
      status: slot.status.kind,
      ending: slot.ending,
    }));
  }

  sendToAll(message: unknown): void {
    for (const slot of this.slots.values()) if (slot.worker?.alive) slot.worker.send(undefined, message);
  }

  setBusy(slot: WorkerSlot<Task, Response, Competence>): void {
    slot.clearTimers();
    this.setState(slot, 'busy');
  }

  /** Back to idle; idle too long, it retires (Tezt). */
  becomeIdle(slot: WorkerSlot<Task, Response, Competence>): void {
    this.setState(slot, 'idle');
    const idleMs = this.options.workerIdleTimeoutMs;
    if (idleMs === undefined) return;
    const worker = slot.worker!;
    slot.addTimer(
      setTimeout(() => {
        if (slot.available && slot.worker === worker) this.terminate(slot, worker, 'retired', 'SIGTERM', this.options.workerKillTimeoutMs, () => {
          const hook = this.options.onWorkerKillTimeout;
          if (hook && this.options.workerKillTimeoutMs !== undefined) this.hooks.run('onWorkerKillTimeout', () => hook(worker.name));
        });
      }, idleMs),
    );
  }

  /** Ends a worker for a reason of the pool's (so its end is expected); it is replaced when gone. */
  end(slot: WorkerSlot<Task, Response, Competence>, ending: Ending): void {
    slot.ending ??= ending;
    this.changed();
    void slot.worker?.kill();
  }

  /** Sends the term signal, then SIGKILL if it has not ended `killAfterMs` later (`onKill` runs then). */
  terminate(
    slot: WorkerSlot<Task, Response, Competence>,
    worker: PoolWorker,
    ending: Ending,
    signal: NodeJS.Signals,
    killAfterMs: number | undefined,
    onKill?: () => void,
  ): void {
    if (slot.ending) return;
    slot.ending = ending;
    this.changed();
    worker.signal(signal);
    slot.addTimer(
      setTimeout(() => {
        if (!worker.alive) return;
        onKill?.();
        void worker.kill();
      }, killAfterMs ?? this.options.workerKillTimeoutMs ?? DEFAULT_KILL_AFTER_TERM_MS),
    );
  }

  /** Kills one worker as a user would; false if there is none with this id (or it is still starting). */
  async kill(id: number): Promise<boolean> {
    const slot = this.slots.get(id);
    if (!slot?.worker) return false;
    slot.ending = 'killed';
    this.changed();
    await slot.worker.kill();
    return true;
  }

  /** Ends every worker, those still starting too, and waits until all are gone. */
  async close(): Promise<void> {
    this.closed = true;
    this.memoryWatch?.stop();
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots.values()) {
      this.end(slot, 'destroyed');
      if (slot.worker) exits.push(slot.worker.exited);
    }
    await Promise.all([...exits, ...this.spawning]);
    this.slots.clear();
  }

  changed(): void {
    const hook = this.options.onWorkersChanged;
    if (hook) this.hooks.run('onWorkersChanged', hook);
  }

  private setState(slot: WorkerSlot<Task, Response, Competence>, state: 'idle' | 'busy'): void {
    slot.state = state;
    slot.since = Date.now();
    this.changed();
  }

  private startWorker(): void {
    const id = this.nextId++;
    const slot = new WorkerSlot<Task, Response, Competence>(id, `worker ${id}`);
    this.slots.set(id, slot);
    this.changed();
    const spawned = this.options.spawn(slot.name).then(
      (worker) => this.started(slot, worker),
      (error: unknown) => this.spawnFailed(slot, error),
    );
    this.spawning.add(spawned);
    void spawned.finally(() => this.spawning.delete(spawned));
  }

  private async started(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker): Promise<void> {
    slot.worker = worker;
    if (this.closed || slot.ending) {
      await worker.kill();
      this.slots.delete(slot.id);
      this.changed();
      return;
    }
    this.spawnFailures = 0;
    worker.onFeedback((taskId, feedback) => this.events.feedback(slot, worker, taskId, feedback));
    void worker.exited.then((exit) => this.exited(slot, worker, exit));
    this.becomeIdle(slot);
    this.events.ready(slot);
  }

  private spawnFailed(slot: WorkerSlot<Task, Response, Competence>, error: unknown): void {
    this.slots.delete(slot.id);
    this.changed();
    if (this.closed || slot.ending) return;
    const spawnError = error instanceof WorkerSpawnError ? error : new WorkerSpawnError(String(error instanceof Error ? error.message : error), { cause: error });
    if (++this.spawnFailures < (this.options.maxSpawnFailures ?? 3)) {
      this.startWorker();
      return;
    }
    this.gaveUp = spawnError;
    this.changed();
    this.events.gaveUp(spawnError);
  }

  private exited(slot: WorkerSlot<Task, Response, Competence>, worker: PoolWorker, exit: WorkerExit): void {
    if (slot.worker !== worker || !this.slots.has(slot.id)) return;
    this.slots.delete(slot.id);
    slot.clearTimers();
    const ending = slot.ending;
    const unexpected = this.options.onUnexpectedWorkerExit;
    if (!ending && unexpected) this.hooks.run('onUnexpectedWorkerExit', () => unexpected(worker.name, exit));
    const retired = this.options.onWorkerRetired;
    if (ending === 'retired' && retired) this.hooks.run('onWorkerRetired', () => retired(worker.name, exit));
    this.changed();
    this.events.exited(slot, worker, exit, ending);
  }

  /**
   * Ended at once, busy or not. A busy worker is not left to finish: the task it runs may be what
   * grows it, without bound (a proof that alone needs more than the limit), so its task fails with
   * reason 'memory' and its owner decides whether to try again on another worker.
   */
  private overMemory(pid: number, bytes: number): void {
    const slot = [...this.slots.values()].find((s) => s.worker?.pid === pid);
    if (!slot || slot.ending) return;
    slot.overMemoryBytes = bytes;
    const hook = this.options.onWorkerOverMemory;
    if (hook) this.hooks.run('onWorkerOverMemory', () => hook(slot.name, bytes));
    this.end(slot, 'memory');
  }
}
