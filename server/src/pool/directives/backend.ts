/**
 * Where a directive's tasks go and its results come from (paladin's Runtime). One task channel
 * carries every task of every directive, so workers listen in one place and run anything; each
 * directive leases a result channel of its own, named in each of its tasks, so it hears only its
 * own results. The in-process backend (backends/inProcess.ts) runs tasks on a pool; an AMQP
 * backend would publish tasks to one queue and open an exclusive reply queue per directive.
 */

/** One task on the task channel. */
export interface TaskEnvelope {
  /** The result channel of the directive that issued it. */
  directive: string;
  /** Unique within the directive: an input index (map) or an input range (fold). */
  key: string;
  attempt: number;
  operation: string;
  input: unknown;
}

export type OperationFailureKind = 'transient' | 'fatal';

/** One result on a directive's result channel. A backend may deliver one twice (at-least-once). */
export type ResultEnvelope = {
  directive: string;
  key: string;
  attempt: number;
} & ({ ok: true; output: unknown } | { ok: false; kind: OperationFailureKind; message: string });

export interface ResultChannel {
  readonly id: string;
  onResult(listener: (result: ResultEnvelope) => void): void;
  /** Gives the channel back: results still on their way to it are dropped. */
  close(): void;
}

export interface DirectiveBackend {
  /** Leases a fresh result channel for one directive. */
  openResultChannel(): ResultChannel;
  /** Publishes a task on the task channel; its result goes to the channel it names. */
  publish(task: TaskEnvelope): void;
  /** Best effort: this directive no longer wants these tasks (default: any of its tasks). */
  cancel(directive: string, keys?: string[]): void;
}
