/**
 * Every chain that checked one delegated proof: its own task's, then one per resumption past a
 * failure (error resilience: the failing block's goals are given up and checking goes on where the
 * block ends, ./proofStructure.ts). Builds the next resumption, and says which chain holds the
 * state after a sentence of the proof, for goals queries.
 */
import type { TaskChain } from './chain';
import { GIVE_UP_BLOCK, resumeAfterFailure } from './proofStructure';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

export interface AttemptFailure {
  /** Link index in the attempt's chain. */
  index: number;
  sentence: number;
  message: string;
}

interface Attempt {
  chain: TaskChain;
  /** Link index where this attempt's own sentences start (the statement's link + 1, or the link after `all: admit.`). */
  from: number;
  /** The document sentence at link `from`. */
  firstSentence: number;
  /** For a resumption: the link of its `all: admit.` (which stands for the failing sentence). */
  giveUpIndex?: number;
  failure?: AttemptFailure;
}

/** The state after a sentence: the chain to walk there, or the goals before a failure Coq cannot get past. */
export type StateAfter = { chain: TaskChain; failure?: undefined } | { chain: TaskChain; failure: AttemptFailure };

export class ProofAttempts {
  private readonly attempts: Attempt[] = [];

  constructor(
    private readonly sentences: readonly Sentence[],
    private readonly proof: ProofBlock,
    chain: TaskChain,
  ) {
    this.attempts.push({ chain, from: chain.prefixLength, firstSentence: proof.statement + 1 });
  }

  failed(chain: TaskChain, failure: AttemptFailure): void {
    const attempt = this.attempts.find((a) => a.chain === chain);
    if (attempt && !attempt.failure) attempt.failure = failure;
  }

  /**
   * The chain that checks the rest of the proof after `chain` failed at link `index`: the same
   * links up to the failure, `all: admit.`, then the sentences from where the failing block ends.
   * Undefined when nothing can be checked past it (no enclosing block, the closing sentence, or
   * our own recovery failing: `all: admit.` itself, or a bullet that fails again once resumed at).
   */
  resume(chain: TaskChain, index: number): TaskChain | undefined {
    const attempt = this.attempts.at(-1)!;
    if (attempt.chain !== chain) return undefined;
    if (attempt.giveUpIndex !== undefined) {
      if (index === attempt.giveUpIndex) return undefined;
      const retried = attempt.firstSentence === chain.at(attempt.giveUpIndex).sentence;
      if (retried && index === attempt.from) return undefined;
    }
    const { statement, close } = this.proof;
    const failing = chain.at(index).sentence;
    const body = this.sentences.slice(statement + 1, close! + 1).map((s) => s.text);
    const resumed = resumeAfterFailure(body, failing - statement - 1);
    if (resumed === undefined) return undefined;
    const first = statement + 1 + resumed;
    const rest = this.sentences.slice(first, close! + 1).map((s, i) => ({ text: s.text, sentence: first + i }));
    const next = chain.branch(index, [{ text: GIVE_UP_BLOCK, sentence: failing }, ...rest]);
    this.attempts.push({ chain: next, from: index + 1, firstSentence: first, giveUpIndex: index });
    return next;
  }

  /** The chain whose last link is the state right after `sentence` (statement ≤ sentence < close), or the goals before the failure in the way. */
  stateAfter(sentence: number): StateAfter {
    let previous: Attempt | undefined;
    for (const attempt of this.attempts) {
      // Skipped by the resumption (the rest of a failing block): Coq stops at the failure there.
      if (previous?.failure && sentence < attempt.firstSentence) return { chain: previous.chain.branch(previous.failure.index), failure: previous.failure };
      const link = sentence === this.proof.statement ? attempt.from - 1 : attempt.from + (sentence - attempt.firstSentence);
      if (!attempt.failure || link < attempt.failure.index) return { chain: attempt.chain.branch(link + 1) };
      previous = attempt;
    }
    return { chain: previous!.chain.branch(previous!.failure!.index), failure: previous!.failure! };
  }
}
