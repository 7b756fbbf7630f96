/**
 * Which state a goals query at a position asks about: the one after the last sentence that ends
 * at or before it, when that sentence is inside a proof (from its statement to just before its
 * closing sentence), and the chain that reaches that state in the document's check: a delegated
 * proof's own chain, or one of its resumptions past a failure (./proofAttempts.ts), or the skeleton.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckRequest, CoqRoot } from '../../../protocol/coqTasks';
import type { Position, Range } from '../../../protocol/lsp';
import { ChainLink, TaskChain } from './chain';
import type { ProofAttempts } from './proofAttempts';
import { partitionPoint } from './partitionPoint';
import type { TaskPlace } from './proofPolicy';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

export type GoalsTarget =
  | { kind: 'outside' }
  /** The check has not reached this proof yet: ask again once it has gone further. */
  | { kind: 'pending' }
  | { kind: 'unreachable'; message: string }
  | {
      kind: 'state';
      chain: TaskChain;
      /** The sentence the goals follow. */
      range: Range;
      /** A failing sentence before the position that Coq cannot get past: the chain stops before it. */
      failure?: { message: string; range: Range };
      place: TaskPlace;
      timeLimit?: CheckRequest['timeLimit'];
      /** The range of the sentence a link of `chain` stands for. */
      rangeOfLink(index: number): Range;
    };

/** What a document check knows that a goals query needs. */
export interface CheckedDocument {
  document: TextDocument;
  root: CoqRoot;
  sentences: readonly Sentence[];
  proofs: readonly ProofBlock[];
  /** The skeleton as far as the walk has gone. */
  skeleton: readonly ChainLink[];
  attempts: ReadonlyMap<number, ProofAttempts>;
  skeletonError?: { sentence: number; message: string };
  /** The check is over (finished or cancelled): what it has not reached, it never will. */
  over: boolean;
  proofTimeLimitMs?: number;
}

export function goalsTarget(checked: CheckedDocument, position: Position): GoalsTarget {
  const { document, sentences, proofs, skeletonError } = checked;
  const offset = document.offsetAt(position);
  // The last sentence that ends at or before `offset`; -1 when none does.
  const sentence = partitionPoint(sentences, (s) => s.end <= offset) - 1;
  const index = proofs.findIndex((p) => p.statement <= sentence && (p.close === undefined || sentence < p.close));
  if (sentence < 0 || index < 0) return { kind: 'outside' };
  const proof = proofs[index];
  const rangeOf = (s: number): Range => ({ start: document.positionAt(sentences[s].start), end: document.positionAt(sentences[s].end) });
  const end = sentences[proof.close ?? sentences.length - 1].end;
  const place: TaskPlace = { uri: document.uri, startLine: document.positionAt(sentences[proof.statement].start).line, endLine: document.positionAt(end).line, interactive: true };
  const notReached = checked.over ? { kind: 'unreachable' as const, message: 'The check stopped before it reached this proof.' } : { kind: 'pending' as const };
  const blocked = skeletonError && (proof.delegated ? skeletonError.sentence <= proof.statement : skeletonError.sentence < proof.statement);
  if (blocked) return { kind: 'unreachable', message: `Coq cannot get to this proof: line ${rangeOf(skeletonError.sentence).start.line + 1} fails (${skeletonError.message})` };

  if (proof.delegated) {
    const attempts = checked.attempts.get(index);
    if (!attempts) return notReached;
    const state = attempts.stateAfter(sentence);
    const timeLimit = checked.proofTimeLimitMs ? { from: state.chain.prefixLength, ms: checked.proofTimeLimitMs } : undefined;
    const failure = state.failure && { message: state.failure.message, range: rangeOf(state.failure.sentence) };
    const rangeOfLink = (i: number) => rangeOf(state.chain.at(i).sentence);
    return { kind: 'state', chain: state.chain, range: rangeOf(sentence), failure, place, timeLimit, rangeOfLink };
  }
  // Checked inside the skeleton; a skeleton error inside this proof stops Coq there.
  const stop = skeletonError && skeletonError.sentence <= sentence ? skeletonError : undefined;
  const target = stop ? stop.sentence : sentence;
  const link = checked.skeleton.findLastIndex((l) => l.sentence === target);
  if (link < 0) return notReached;
  const chain = new TaskChain(checked.root, checked.skeleton, stop ? link : link + 1);
  const failure = stop && { message: stop.message, range: rangeOf(stop.sentence) };
  return { kind: 'state', chain, range: rangeOf(sentence), failure, place, rangeOfLink: (i) => rangeOf(chain.at(i).sentence) };
}
