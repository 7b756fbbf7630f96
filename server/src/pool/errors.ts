/** Why a task did not produce a response. Code matches on `reason`, never on message text. */
export type TaskFailureReason = 'cancelled' | 'expired' | 'worker-died' | 'killed' | 'exception' | 'marshal' | 'timeout';

export class TaskFailedError extends Error {
  constructor(
    readonly reason: TaskFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TaskFailedError';
  }
}

/** A worker could not be started: not spawned, not ready in time, or speaking another protocol version. */
export class WorkerSpawnError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerSpawnError';
  }
}
