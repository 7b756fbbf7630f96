/**
 * The skeleton of a document as a chain: every sentence outside delegated proofs, each delegated
 * proof replaced by a stand-in (its statement, then `Admitted.`). Inside a Section the stand-in
 * must also declare the section variables the proof uses (`Proof using H. Admitted.`), or after
 * `End` the lemma would quantify over every variable; that is known only once the proof was
 * checked, so stand-ins are annotated later, which re-links the chain from the first one changed
 * into a new array. Appending only pushes: a task reads no further than its own prefix.
 */
import type { CoqRoot } from '../../../protocol/coqTasks';
import { ChainLink, link, rootHash } from './chain';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

type Entry = { kind: 'sentence'; sentence: number } | { kind: 'standIn'; proof: number; using?: string };

export class Skeleton {
  private readonly entries: Entry[] = [];
  /** Index in `links` where each entry's links start. */
  private readonly entryStarts: number[] = [];
  /** The entry of each delegated proof's stand-in. */
  private readonly standInEntry = new Map<number, number>();
  private chain: ChainLink[] = [];
  /**
   * The hashes of the chain as first appended, every stand-in with the `Proof using` it had then:
   * annotating does not change them, so results can be keyed by them (./proofChains.ts).
   */
  private readonly plain: string[] = [];
  private readonly root: string;

  constructor(
    root: CoqRoot,
    private readonly sentences: readonly Sentence[],
    private readonly proofs: readonly ProofBlock[],
  ) {
    this.root = rootHash(root);
  }

  /** The chain as it stands now; its first links never change (annotating makes a new array). */
  get links(): readonly ChainLink[] {
    return this.chain;
  }

  appendSentence(sentence: number): void {
    this.append({ kind: 'sentence', sentence });
  }

  /** Appends a delegated proof's stand-in; returns the link index of its statement. */
  appendStandIn(proof: number, using?: string): number {
    this.standInEntry.set(proof, this.entries.length);
    this.append({ kind: 'standIn', proof, using });
    return this.entryStarts.at(-1)!;
  }

  /** The link index of a delegated proof's statement (annotating earlier stand-ins may move it). */
  statementLink(proof: number): number {
    return this.entryStarts[this.standInEntry.get(proof)!];
  }

  /** What a delegated proof's stand-in has after its statement, as it stands: its `Proof using`, if any, and `Admitted.`. */
  standInTail(proof: number): { text: string; sentence: number }[] {
    return this.render(this.entries[this.standInEntry.get(proof)!]).slice(1);
  }

  /** Gives these proofs' stand-ins their `Proof using` sentences. */
  annotate(using: Map<number, string>): void {
    const first = this.entries.findIndex((e) => e.kind === 'standIn' && using.has(e.proof) && e.using !== using.get(e.proof));
    if (first < 0) return;
    for (const entry of this.entries) if (entry.kind === 'standIn' && using.has(entry.proof)) entry.using = using.get(entry.proof);
    this.chain = this.chain.slice(0, this.entryStarts[first]);
    for (let i = first; i < this.entries.length; i++) {
      this.entryStarts[i] = this.chain.length;
      this.chain.push(...link(this.chain.at(-1)?.hash ?? this.root, this.render(this.entries[i])));
    }
  }

  /** The hash of link `index` as first appended (see `plain`). */
  plainHash(index: number): string {
    return this.plain[index];
  }

  private append(entry: Entry): void {
    this.entries.push(entry);
    this.entryStarts.push(this.chain.length);
    const items = this.render(entry);
    this.chain.push(...link(this.chain.at(-1)?.hash ?? this.root, items));
    for (const item of link(this.plain.at(-1) ?? this.root, items)) this.plain.push(item.hash);
  }

  private render(entry: Entry): { text: string; sentence: number }[] {
    if (entry.kind === 'sentence') return [{ text: this.sentences[entry.sentence].text, sentence: entry.sentence }];
    const proof = this.proofs[entry.proof];
    const close = proof.close!;
    const items = [{ text: this.sentences[proof.statement].text, sentence: proof.statement }];
    if (entry.using) items.push({ text: entry.using, sentence: proof.usingSentence ?? close });
    items.push({ text: 'Admitted.', sentence: close });
    return items;
  }
}
