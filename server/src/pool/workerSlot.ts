/** One place in the pool: the worker in it (once started), its status, and what it is doing. */
import type { WorkerStatus } from './policy';
import type { TaskRecord } from './taskRecord';
import type { WorkerState } from './types';
import type { PoolWorker } from './worker';

/** Why the pool is ending a worker; none means its end is unexpected. */
export type Ending =
  | 'killed' // killWorker: as a user would
  | 'cancelled' // a cancelled task did not stop in time, or cancelAll
  | 'timeout' // its task passed termTimeout or killTimeout
  | 'stopped' // stop()
  | 'ended' // the policy said `end`
  | 'marshal' // a message of its task could not cross the wire
  | 'exception' // the policy threw on its response
  | 'retired' // idle for workerIdleTimeout
  | 'memory' // over the memory limit
  | 'destroyed'; // destroy()

const FRESH = { kind: 'fresh' } as const;

export class WorkerSlot<Task, Response, Competence> {
  worker: PoolWorker | undefined;
  status: WorkerStatus<Competence> = FRESH;
  state: WorkerState = 'starting';
  since = Date.now();
  current: TaskRecord<Task, Response> | undefined;
  tasksDone = 0;
  ending: Ending | undefined;
  /** The resident bytes of its process group when it was found over the memory limit (it is being ended). */
  overMemoryBytes: number | undefined;
  /** The idle-retirement timer, or the SIGKILL that follows a termination signal. */
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  /** Free to take a task. */
  get available(): boolean {
    return this.state === 'idle' && this.ending === undefined;
  }

  becomeFresh(): void {
    this.status = FRESH;
  }

  addTimer(timer: NodeJS.Timeout): void {
    this.timers.push(timer);
  }

  clearTimers(): void {
    if (this.timers.length === 0) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}
