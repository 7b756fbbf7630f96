/**
 * The goals at one state of a chain, asked of the pool as a task of its own: the policy gives it to
 * the idle worker that reaches that state cheapest, which is the one holding it when there is one
 * (it only rewinds), and otherwise a worker walks there. Goals are a function of the chain, so
 * answers are cached like verdicts.
 */
import type { CheckRequest, CheckResponse, ProofGoals } from '../../../protocol/coqTasks';
import type { TaskHandle } from '../pool/pool';
import type { TaskChain } from './chain';
import { RETRIED_REASONS } from './notChecked';
import type { ProofTask, TaskPlace } from './proofPolicy';
import type { ResultsCache } from './resultsCache';

export interface GoalsHost {
  submit(task: ProofTask): TaskHandle<CheckResponse>;
  cache?: ResultsCache;
}

export interface GoalsAnswer {
  goals: ProofGoals | null;
  /** The chain failed before its end (at link `index`): the goals are those before that link. */
  failure?: { index: number; message: string };
}

/** The cache key of a goals task: nothing but the state it asks about. */
export function goalsCacheKey(chain: TaskChain): string {
  return `${chain.at(chain.length - 1).hash}\0goals`;
}

/** Thrown when the task did not answer (cancelled, or its worker died twice). */
export class GoalsUnavailableError extends Error {}

export interface GoalsTaskOptions {
  label: string;
  place: TaskPlace;
  /** The proof's own sentences run under the proof time limit, as when it is checked. */
  timeLimit?: CheckRequest['timeLimit'];
  signal?: AbortSignal;
}

export async function fetchGoals(host: GoalsHost, chain: TaskChain, options: GoalsTaskOptions): Promise<GoalsAnswer> {
  const response = await goalsResponse(host, chain, options);
  if (!response.failure) return { goals: response.goals ?? null };
  // A sentence on the way fails (one no check has reported yet): the goals before it, and why.
  const before = await goalsResponse(host, chain.branch(response.failure.index), options);
  return { goals: before.goals ?? null, failure: { index: response.failure.index, message: response.failure.message } };
}

async function goalsResponse(host: GoalsHost, chain: TaskChain, options: GoalsTaskOptions, attempt = 0): Promise<CheckResponse> {
  const key = goalsCacheKey(chain);
  const cached = host.cache?.get(key);
  if (cached) return cached.response;
  const { label, place, timeLimit, signal } = options;
  const handle = host.submit({ chain, goals: true, reportOpenProof: false, label, place, timeLimit, isExpired: () => signal?.aborted === true, onMessage: () => {} });
  const cancel = () => handle.cancel();
  signal?.addEventListener('abort', cancel);
  const outcome = await handle.done.finally(() => signal?.removeEventListener('abort', cancel));
  if (!outcome.ok) {
    // A worker that died under it (killed, over the memory limit) gets one more try, on another worker.
    if (attempt === 0 && RETRIED_REASONS.has(outcome.error.reason)) return goalsResponse(host, chain, options, 1);
    throw new GoalsUnavailableError(`the goals could not be computed: ${outcome.error.message}`);
  }
  const response = outcome.response;
  if (response.timedOut) throw new GoalsUnavailableError('the goals could not be computed: getting there ran past the proof time limit');
  if (response.interrupted) throw new GoalsUnavailableError('the goals could not be computed: the worker was interrupted');
  host.cache?.set(key, { response, messages: [] });
  return response;
}
