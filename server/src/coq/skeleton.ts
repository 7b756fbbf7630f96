/**
 * The skeleton of a document as a chain: every sentence outside delegated proofs, each delegated
 * proof replaced by a stand-in (its statement, then `Admitted.`). Inside a Section the stand-in
 * must also declare the section variables the proof uses (`Proof using H. Admitted.`), or after
 * `End` the lemma would quantify over every variable; that is known only once the proof was
 * checked, so stand-ins are annotated later, which re-links the chain from the first one changed
 * into a new array. Appending only pushes: a task reads no further than its own prefix.
 * Re-linking is lazy, as far as someone reads: the walk may be far ahead of the proofs that
 * learn (it does not wait at `End`), and re-linking to the end at every answer made a check of
 * seq.v's 759 proofs quadratic.
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
  /** How many entries have their links in `chain` (and their start in `entryStarts`) up to date. */
  private linked = 0;
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

  /** The whole chain as it stands now; its first links never change (annotating makes a new array). */
  get links(): readonly ChainLink[] {
    this.linkThrough(this.entries.length);
    return this.chain;
  }

  /**
   * The chain as it stands now, linked at least through this proof's stand-in. The same array as
   * long as nothing is annotated (`version`): later links may be pushed onto it.
   */
  linksThrough(proof: number): readonly ChainLink[] {
    this.linkThrough(this.standInEntry.get(proof)! + 1);
    return this.chain;
  }

  /** Changes (to a new array) exactly when an annotation changes the chain. */
  get version(): readonly ChainLink[] {
    return this.chain;
  }

  appendSentence(sentence: number): void {
    this.append({ kind: 'sentence', sentence });
  }

  /** Appends a delegated proof's stand-in. */
  appendStandIn(proof: number, using?: string): void {
    this.standInEntry.set(proof, this.entries.length);
    this.append({ kind: 'standIn', proof, using });
  }

  /** The link index of a delegated proof's statement (annotating earlier stand-ins may move it). */
  statementLink(proof: number): number {
    const entry = this.standInEntry.get(proof)!;
    this.linkThrough(entry + 1);
    return this.entryStarts[entry];
  }

  /** What a delegated proof's stand-in has after its statement, as it stands: its `Proof using`, if any, and `Admitted.`. */
  standInTail(proof: number): { text: string; sentence: number }[] {
    return this.render(this.entries[this.standInEntry.get(proof)!]).slice(1);
  }

  /** Gives these proofs' stand-ins their `Proof using` sentences. */
  annotate(using: ReadonlyMap<number, string>): void {
    let first = -1;
    for (const [proof, text] of using) {
      const entry = this.standInEntry.get(proof);
      const standIn = entry === undefined ? undefined : this.entries[entry];
      if (standIn?.kind !== 'standIn' || standIn.using === text) continue;
      standIn.using = text;
      if (first < 0 || entry! < first) first = entry!;
    }
    if (first < 0 || first >= this.linked) return;
    this.chain = this.chain.slice(0, this.entryStarts[first]);
    this.linked = first;
  }

  /** Links the entries up to `count` that are not linked yet, onto the current array. */
  private linkThrough(count: number): void {
    for (; this.linked < count; this.linked++) {
      this.entryStarts[this.linked] = this.chain.length;
      this.chain.push(...link(this.chain.at(-1)?.hash ?? this.root, this.render(this.entries[this.linked])));
    }
  }

  /** The hash of link `index` as first appended (see `plain`). */
  plainHash(index: number): string {
    return this.plain[index];
  }

  private append(entry: Entry): void {
    this.entries.push(entry);
    const items = this.render(entry);
    for (const item of link(this.plain.at(-1) ?? this.root, items)) this.plain.push(item.hash);
    // Linked now when everything before is (the walk's usual case), else when someone reads it.
    if (this.linked === this.entries.length - 1) this.linkThrough(this.entries.length);
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
