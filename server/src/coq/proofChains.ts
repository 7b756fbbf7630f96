/**
 * The chains of a document's delegated proofs, on a skeleton that keeps learning: each proof's
 * chain is the skeleton up to its statement (earlier proofs as stand-ins), then its own body.
 *
 * Inside a Section a stand-in learns its `Proof using` from the proof's check (./sectionUsage.ts),
 * which re-links the skeleton after it. A proof that can use an earlier stand-in waits for it to
 * learn; a queued proof follows the skeleton until a worker takes it; and a proof checked cleanly
 * counts, on its worker, as its stand-in (CheckRequest.standIn). So workers walk one chain forward.
 */
import type { CheckRequest, CheckResponse, CoqRoot } from '../../../protocol/coqTasks';
import { ChainLink, chainHash, link, TaskChain } from './chain';
import type { ResultsCache } from './resultsCache';
import type { ProofBlock } from './segments';
import { annotationOf, SectionUsage } from './sectionUsage';
import type { Sentence } from './sentences';
import type { Skeleton } from './skeleton';

/** A delegated proof's own task, as far as its chain goes. */
export interface ProofChainSpec {
  chain: TaskChain;
  proof: number | undefined;
  timeLimit?: CheckRequest['timeLimit'];
  /** Where its body starts and how many links its stand-in has, for CheckRequest.standIn. */
  standIn?: CheckRequest['standIn'];
  /** The skeleton links its chain was built on, until a worker takes it (then undefined). */
  builtOn?: readonly ChainLink[];
  /**
   * What its result depends on: the skeleton's text up to its statement with stand-ins as first
   * appended, its body, and the `Proof using` of the earlier stand-ins it can see named. Unlike the
   * chain's hash, it does not change when a stand-in this proof cannot use learns its variables.
   */
  resultKey?: string;
}

export class ProofChains {
  /** Delegated proofs the walk has passed whose task waits, by the stand-in they wait for first. */
  private readonly waitingOn = new Map<number, number[]>();
  /** Proofs to look at again: reached by the walk, or the stand-in they waited for has learnt. */
  private recheck: number[] = [];

  constructor(
    private readonly root: CoqRoot,
    private readonly sentences: readonly Sentence[],
    private readonly proofs: readonly ProofBlock[],
    private readonly skeleton: Skeleton,
    private readonly usage: SectionUsage,
    private readonly proofTimeLimitMs: number | undefined,
    /** Remembers, across versions, the `Proof using` each Section proof needed (see `settle`). */
    private readonly memory: ResultsCache | undefined,
  ) {}

  /**
   * A proof's task has its final outcome. A proof that failed keeps the `Proof using` it needed
   * last time, if its statement and what precedes it are unchanged: that keeps the chains (and the
   * results) of the proofs after it while the user is fixing it, and it is as good a guess as any.
   */
  settle(proof: number, response: CheckResponse | undefined): void {
    const key = this.skeleton.plainHash(this.skeleton.statementLink(proof));
    const learnt = annotationOf(response);
    if (learnt !== undefined && this.usage.placeholder(proof) !== undefined) this.memory?.rememberAnnotation(key, learnt);
    this.usage.settle(proof, learnt ?? this.memory?.annotation(key));
    const freed = this.waitingOn.get(proof);
    if (freed === undefined) return;
    this.waitingOn.delete(proof);
    this.recheck.push(...freed);
  }

  /** The walk reached this delegated proof: its stand-in joins the skeleton, its task waits its turn. */
  reach(index: number): void {
    const proof = this.proofs[index];
    this.skeleton.appendStandIn(index, proof.usingSentence !== undefined ? this.sentences[proof.usingSentence].text : this.usage.placeholder(index));
    this.recheck.push(index);
  }

  /**
   * The waiting proofs that may be checked now, in document order (no longer waiting). Only those
   * reached or freed since the last call are looked at: the others still wait for the same one.
   */
  takeReady(): number[] {
    const ready: number[] = [];
    for (const proof of this.recheck) {
      const blocker = this.usage.blocker(proof);
      if (blocker === undefined) ready.push(proof);
      else if (this.waitingOn.has(blocker)) this.waitingOn.get(blocker)!.push(proof);
      else this.waitingOn.set(blocker, [proof]);
    }
    this.recheck = [];
    return ready.sort((a, b) => a - b);
  }

  /** The whole skeleton, with every annotation learnt so far. */
  whole(): TaskChain {
    this.skeleton.annotate(this.usage.known());
    const links = this.skeleton.links;
    return new TaskChain(this.root, links, links.length);
  }

  /** Gives a proof's task its chain on the skeleton as it stands now. */
  build(spec: ProofChainSpec): void {
    this.skeleton.annotate(this.usage.known());
    const index = spec.proof!;
    const proof = this.proofs[index];
    const at = this.skeleton.statementLink(index);
    const links = this.skeleton.linksThrough(index);
    const bodyItems = this.sentences.slice(proof.statement + 1, proof.close! + 1).map((s, i) => ({ text: s.text, sentence: proof.statement + 1 + i }));
    spec.chain = new TaskChain(this.root, links, at + 1, link(links[at].hash, bodyItems));
    spec.builtOn = links;
    spec.timeLimit = this.proofTimeLimitMs ? { from: at + 1, ms: this.proofTimeLimitMs } : undefined;
    spec.standIn = { from: at + 1, links: this.skeleton.standInTail(index).length };
    const body = link(this.skeleton.plainHash(at), bodyItems).at(-1)?.hash ?? this.skeleton.plainHash(at);
    spec.resultKey = chainHash(body, this.usage.visibleAnnotations(index));
  }

  /** A queued task's chain, rebuilt when the skeleton learnt something since (false when it did not change). */
  refresh(spec: ProofChainSpec): boolean {
    if (spec.builtOn === undefined || spec.builtOn === this.skeleton.version) return false;
    this.build(spec);
    return true;
  }

  /**
   * What a worker holds after checking a proof cleanly: the chain it was given up to the
   * statement, then the stand-in as the check showed it must be (its Proof using, learnt now,
   * before the worker picks again). The prefix stays the one the worker was given, even if the
   * skeleton learnt more meanwhile: that is the state it holds.
   */
  standInChain(spec: ProofChainSpec, response: CheckResponse): TaskChain {
    this.settle(spec.proof!, response);
    this.skeleton.annotate(this.usage.known());
    const statement = spec.chain.at(spec.chain.prefixLength - 1);
    return spec.chain.withTail(link(statement.hash, this.skeleton.standInTail(spec.proof!)));
  }
}
