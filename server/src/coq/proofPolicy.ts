/**
 * The pool policy for Coq proof tasks. A worker's competence is the chain it holds; a task goes
 * to the idle worker that reaches it cheapest (forward on its own chain, or back to a state it
 * still holds), and the request sends only what that worker lacks.
 */
import type { CheckRequest, CheckResponse, CoqMessage } from '../../../protocol/coqTasks';
import type { Policy, WorkerStatus } from '../pool/policy';
import { TaskChain } from './chain';

export interface CoqCompetence {
  chain: TaskChain;
  /** How many links of `chain` the worker holds. */
  length: number;
}

export interface ProofTask {
  chain: TaskChain;
  /** Ask the worker whether a proof is still open at the end (for the task that ends the document). */
  reportOpenProof: boolean;
  assumptionsOf?: CheckRequest['assumptionsOf'];
  timeLimit?: CheckRequest['timeLimit'];
  label: string;
  /** A task of a document version that is no longer wanted expires instead of running. */
  isExpired(): boolean;
  /** Messages Coq printed while this task ran. */
  onMessage(message: CoqMessage): void;
  /** The task was just given to a worker. */
  onDispatch?(): void;
}

/** Sentences the worker holds that this task can keep. */
function kept(status: WorkerStatus<CoqCompetence>, task: ProofTask): number {
  return status.kind === 'old' ? task.chain.commonPrefix(status.competence.chain, status.competence.length) : 0;
}

/** A fresh worker must still start a coqidetop for the task's root: count it as a few sentences. */
const RESTART_COST = 20;

export const proofPolicy: Policy<ProofTask, CheckRequest, CheckResponse, CoqCompetence> = {
  requestOfTask(status, task) {
    if (task.isExpired()) return undefined;
    task.onDispatch?.();
    const keep = kept(status, task);
    return { root: task.chain.root, keep, sentences: task.chain.slice(keep), reportOpenProof: task.reportOpenProof, assumptionsOf: task.assumptionsOf, timeLimit: task.timeLimit };
  },
  taskMatch: () => true,
  cost(status, task) {
    const keep = kept(status, task);
    const rewind = status.kind === 'old' && status.competence.length > keep ? 1 : 0;
    const restart = keep === 0 ? RESTART_COST : 0;
    return task.chain.length - keep + rewind + restart;
  },
  useResponse(_status, task, response) {
    return { stay: { chain: task.chain, length: response.chainLength } };
  },
  nameOfTask: (task) => task.label,
  nameOfRequest: (request) => `${request.sentences.length} sentences after ${request.keep}`,
};
