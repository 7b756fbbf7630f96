/**
 * What follows a failure inside a delegated proof (DESIGN.md "Repair"; Coq's AsyncTaskQueue, where
 * a worker whose proof failed stays and an injected task fetches the state before the error).
 *
 * The worker whose task failed at sentence k answers with the states up to k, and `useResponse`
 * keeps it (`stay`). Two tasks follow it, injected so that they run before anything else and go to
 * that worker, the only one that reaches their states at no cost:
 *  1. the goals before sentence k (nothing to execute: the worker only asks Coq), which the
 *     failure's diagnostic then carries;
 *  2. once they are in, the rest of the proof past the failure (error resilience): the failing
 *     block's goals given up, checking on from where the block ends (./proofAttempts.ts). It may
 *     fail again, and so on, so that every error of the proof is reported, not only the first.
 * Asking for the goals in the failing request itself would save a round trip, but a separate task
 * is what the pool's model is made for: it is cached by its state like any answer, a worker that
 * dies in between only costs a walk to that state, and the same task serves goals queries
 * (proofpool/goals) from whichever worker holds a state.
 */
import type { CheckResponse } from '../../../protocol/coqTasks';
import type { TaskChain } from './chain';
import { ProofAttempts } from './proofAttempts';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

/** Set on the tasks that follow a failure. */
export type RepairStep =
  /** The goals before the failing link `index` of `failed`, for the failure at document sentence `sentence`. */
  | { kind: 'goals'; failed: TaskChain; index: number; sentence: number }
  /** Checks the rest of the proof past a failure. */
  | { kind: 'resume' };

/** What a repair needs to know of a task. */
export interface RepairableSpec {
  chain: TaskChain;
  proof: number | undefined;
  label: string;
  goals?: boolean;
  repair?: RepairStep;
}

export class Repair {
  private readonly attempts = new Map<number, ProofAttempts>();

  constructor(
    private readonly sentences: readonly Sentence[],
    private readonly proofs: readonly ProofBlock[],
    private readonly lineOf: (sentence: number) => number,
  ) {}

  /** Every delegated proof submitted so far and the chains that checked it. */
  get all(): ReadonlyMap<number, ProofAttempts> {
    return this.attempts;
  }

  begin(proof: number, chain: TaskChain): void {
    this.attempts.set(proof, new ProofAttempts(this.sentences, this.proofs[proof], chain));
  }

  /**
   * Whether a failure at this sentence is the closing sentence of a resumption: Coq refuses `Qed.`
   * there as soon as goals were given up, so it counts only if the goals before it say the proof
   * is incomplete anyway.
   */
  isResumedClose(spec: RepairableSpec, sentence: number): boolean {
    return spec.repair?.kind === 'resume' && spec.proof !== undefined && sentence === this.proofs[spec.proof].close;
  }

  /** The tasks that follow this answer (none unless it is a failure inside a delegated proof, or the goals before one). */
  followUps<Spec extends RepairableSpec>(spec: Spec, response: CheckResponse): Spec[] {
    if (spec.proof === undefined || response.interrupted || response.timedOut) return [];
    const attempts = this.attempts.get(spec.proof);
    if (!attempts) return [];
    if (spec.repair?.kind === 'goals') {
      const next = attempts.resume(spec.repair.failed, spec.repair.index);
      if (!next) return [];
      const line = this.lineOf(spec.repair.sentence);
      return [{ ...spec, chain: next, goals: false, label: `${baseLabel(spec.label)}, past line ${line}`, repair: { kind: 'resume' } }];
    }
    const failure = response.failure;
    // Failures in the skeleton prefix (the statement included) are the skeleton's, not this proof's.
    if (spec.goals || !failure || failure.index < spec.chain.prefixLength) return [];
    const sentence = spec.chain.at(failure.index).sentence;
    attempts.failed(spec.chain, { index: failure.index, sentence, message: failure.message });
    const step: RepairStep = { kind: 'goals', failed: spec.chain, index: failure.index, sentence };
    return [{ ...spec, chain: spec.chain.branch(failure.index), goals: true, label: `${baseLabel(spec.label)}: goals before line ${this.lineOf(sentence)}`, repair: step }];
  }
}

/** "List.v: foo (line 12)" of "List.v: foo (line 12), past line 14". */
function baseLabel(label: string): string {
  return label.replace(/(, past line \d+|: goals before line \d+)+$/, '');
}
