/**
 * What a proof whose task failed in the pool says to the user: why it has no verdict, after how
 * many attempts, and what to change when it is a limit of ProofPool's own.
 */
import type { TaskFailedError, TaskFailureReason } from '../pool/errors';

/** Failures that say nothing about the proof itself: worth one more try on another worker. */
export const RETRIED_REASONS: ReadonlySet<TaskFailureReason> = new Set(['killed', 'worker-died', 'memory']);

/** `proof`: the lemma's name (undefined for the task that walks the skeleton); `attempts`: tasks run for it. */
export function notCheckedMessage(error: TaskFailedError, proof: string | undefined, attempts: number): string {
  const times = attempts === 1 ? '' : attempts === 2 ? ' twice' : ` ${attempts} times`;
  const what = proof === undefined ? 'the document' : `the proof of ${proof}`;
  switch (error.reason) {
    case 'memory':
      // error.message: "worker 3 exceeded the worker memory limit (N MiB), holding M MiB".
      return `Out of memory: ${what} was stopped${times}: ${error.message}. Raise proofpool.workerMemoryLimit to check it.`;
    case 'worker-died':
    case 'killed':
      return `Not checked: the worker checking ${what} died${times} (last: ${error.message}).`;
    default:
      return `Not checked: ${error.message}`;
  }
}
