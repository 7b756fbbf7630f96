/**
 * What the pool needs from one worker, wherever it runs: a child process (WorkerProcess) or this
 * very process (InProcessWorker, rpc_parallel's `serve`). The pool owns the worker it is given and
 * is the only thing that ends it.
 */
import type { WorkerExit } from './processStatus';

export interface PoolWorker {
  readonly name: string;
  /** The process id; this process's own id for an in-process worker. */
  readonly pid: number;
  readonly alive: boolean;
  /** Resolves once, when the worker has ended (and, for a process, has been reaped). */
  readonly exited: Promise<WorkerExit>;
  /** What the worker said about itself in the handshake. */
  readonly info: unknown;
  /**
   * Runs one request. Rejects with RemoteError (the handler threw), MarshalError (a value could not
   * cross the wire) or ConnectionClosedError (the worker is going away: its exit follows).
   */
  run(taskId: number, request: unknown): Promise<unknown>;
  /** Asks the running task to stop early; it still answers. */
  interrupt(taskId: number): void;
  /** A message for a running task, or (no task id) for the worker itself. Throws MarshalError if unencodable. */
  send(taskId: number | undefined, message: unknown): void;
  /** Feedback of a running task, or (no task id) a message the worker sent outside any task. */
  onFeedback(listener: (taskId: number | undefined, feedback: unknown) => void): void;
  /** Sends a signal to the worker (and what it started) without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Ends the worker with `signal` (default SIGKILL) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<WorkerExit>;
}
