/**
 * The pool policy for Coq proof tasks. A worker's competence is the chain it holds; a task goes
 * to the idle worker that reaches it cheapest (forward on its own chain, or back to a state it
 * still holds), and the request sends only what that worker lacks.
 */
import type { CheckRequest, CheckResponse, CoqMessage } from '../../../protocol/coqTasks';
import type { Policy, WorkerStatus } from '../pool/policy';
import type { TaskOutcome } from '../pool/types';
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
  timeLimit?: CheckRequest['timeLimit'];
  label: string;
  /** A task of a document version that is no longer wanted expires instead of running. */
  isExpired(): boolean;
  /** Messages Coq printed while this task ran. */
  onMessage(message: CoqMessage): void;
  /** The task was just given to a worker. */
  onDispatch?(): void;
  /** For a proof's own task (CheckRequest.standIn): where its body starts and how many links its stand-in has. */
  standIn?: CheckRequest['standIn'];
  /** After a collapsed response: the skeleton chain that ends with this proof's stand-in, as the worker now holds it. */
  standInChain?(response: CheckResponse): TaskChain;
  /** Ask for the goals after the chain's last sentence. */
  goals?: boolean;
  /**
   * Tasks to run next on the worker that answered, before it takes anything else (Coq's injected
   * tasks: after a failure, the goals before the failing sentence from the worker that holds them).
   */
  followUps?(response: CheckResponse): ProofTask[];
  /** The outcome of this task, whether it was submitted or injected (for injected tasks, the only report). */
  settled?(outcome: TaskOutcome<CheckResponse>): void;
  /** Where it sits, for the queue's order (the user's cursor and visible ranges first). */
  place?: TaskPlace;
}

export interface TaskPlace {
  uri: string;
  /** 0-based lines of the proof (statement to closing sentence). */
  startLine: number;
  endLine: number;
  /** Someone waits for this answer now (a goals query): it goes before every check. */
  interactive?: boolean;
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
    const request: CheckRequest = { root: task.chain.root, keep, sentences: task.chain.slice(keep), reportOpenProof: task.reportOpenProof, timeLimit: task.timeLimit };
    if (task.goals) request.goals = true;
    if (task.standIn) request.standIn = task.standIn;
    return request;
  },
  taskMatch: () => true,
  cost(status, task) {
    const keep = kept(status, task);
    const rewind = status.kind === 'old' && status.competence.length > keep ? 1 : 0;
    const restart = keep === 0 ? RESTART_COST : 0;
    return task.chain.length - keep + rewind + restart;
  },
  useResponse(_status, task, response) {
    // The worker stays with what it holds; follow-ups go first, so the worker that holds their state (cost 0) takes them.
    const chain = response.collapsed ? task.standInChain!(response) : task.chain;
    if (chain.length < response.chainLength) throw new Error(`the worker holds ${response.chainLength} links of a ${chain.length}-link chain`);
    return { stay: { chain, length: response.chainLength }, inject: task.followUps?.(response) };
  },
  nameOfTask: (task) => task.label,
  nameOfRequest: (request) => `${request.sentences.length} sentences after ${request.keep}`,
};
