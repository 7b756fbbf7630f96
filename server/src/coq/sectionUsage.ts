/**
 * The section variables each delegated proof in a Section uses: what its stand-in must declare
 * (`Proof using H. Admitted.`) so that after `End` the lemma quantifies over exactly what `coqc`
 * makes it quantify over.
 *
 * Coq tells the worker that checks a proof (`Suggest Proof Using`), and its answer counts the
 * variables of the earlier lemmas the proof uses as their stand-ins declare them. A stand-in
 * declares `Proof using.` (its statement's variables only) until its own proof has been checked,
 * so a proof that can use an earlier stand-in of the same Section waits until that stand-in is
 * annotated: then Coq's answer is exact. A proof can use a lemma only through its name, written in
 * the proof or in a sentence it sees (./mentions.ts); most proofs wait for nothing.
 * (Asking Coq afterwards with `Print Assumptions` instead costs up to half a second a proof on
 * Flocq's Pff.v, where each walks much of the Reals library.)
 */
import type { CheckResponse } from '../../../protocol/coqTasks';
import { Mentions } from './mentions';
import { partitionPoint } from './partitionPoint';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

/** What a stand-in declares until its proof has been checked. */
const PLACEHOLDER = 'Proof using.';
const IDENTIFIER = /^[A-Za-z_\u00C0-\uFFFF][\w'\u00C0-\uFFFF]*$/;

export class SectionUsage {
  /** Delegated proofs whose stand-in learns its `Proof using` from a worker. */
  readonly learnt: number[];
  private readonly learntSet: Set<number>;
  private readonly settled = new Set<number>();
  /** How many of `learnt` have settled: asked at every answer once the walk is at the end. */
  private learntSettled = 0;
  /** The annotation of each settled proof whose check gave one (none when it failed). */
  private readonly annotations = new Map<number, string>();
  private readonly mentions: Mentions | undefined;
  /** For each proof, the earlier stand-ins whose name it can see written (filled once: findVisible). */
  private visibleOf: Map<number, number[]> | undefined;

  constructor(
    private readonly proofs: readonly ProofBlock[],
    sentences: readonly Sentence[],
  ) {
    this.learnt = proofs.flatMap((p, i) => (p.delegated && p.sectionEnd !== undefined && p.usingSentence === undefined && !p.admitted ? [i] : []));
    this.learntSet = new Set(this.learnt);
    this.mentions = this.learnt.length > 0 ? new Mentions(sentences, proofs) : undefined;
  }

  /** The stand-in's `Proof using` while the proof has not been checked. */
  placeholder(proof: number): string | undefined {
    return this.learntSet.has(proof) ? PLACEHOLDER : undefined;
  }

  /**
   * The first stand-in this proof must still wait for, if any: it may be checked once the earlier
   * stand-ins it can see named have their annotation where it matters. To a proof that learns its own variables, every one of them: Coq
   * counts their declared variables in its answer. To any proof, those whose Section has ended:
   * after `End` the lemma quantifies over the variables its stand-in declares, so its type is
   * known only then. The rest of a chain may hold placeholders: what cannot name a lemma cannot
   * depend on its type.
   */
  blocker(proof: number): number | undefined {
    if (!this.mentions) return undefined;
    const { statement } = this.proofs[proof];
    const learns = this.learntSet.has(proof);
    return this.visible(proof).find((p) => !this.settled.has(p) && (learns || this.proofs[p].sectionEnd! < statement));
  }

  /** The earlier stand-ins (of any Section) whose name this proof can see written, in document order. */
  private visible(proof: number): readonly number[] {
    if (this.visibleOf === undefined) this.visibleOf = this.mentions ? this.findVisible(this.mentions) : new Map();
    return this.visibleOf.get(proof) ?? [];
  }

  /**
   * Every proof's `visible` at once, from where each stand-in's name is written: asked for every
   * proof of the document, one by one (every stand-in against every proof) it cost a check of
   * seq.v's 759 proofs about a quarter of a second, at every version.
   */
  private findVisible(mentions: Mentions): Map<number, number[]> {
    const visibleOf = new Map<number, number[]>();
    for (const p of this.learnt) {
      const { name, close } = this.proofs[p];
      if (name === 'Goal') continue;
      const { from, bodies } = mentions.readersOf(name, close!);
      if (from !== undefined) {
        // Every proof that closes at or after `from` sees it written.
        for (let q = partitionPoint(this.proofs, (block) => (block.close ?? Infinity) < from); q < this.proofs.length; q++) bodies.add(q);
      }
      for (const q of bodies) {
        const list = visibleOf.get(q);
        if (list === undefined) visibleOf.set(q, [p]);
        else list.push(p);
      }
    }
    return visibleOf;
  }

  /** The proof's task has its final outcome, and with it the stand-in's `Proof using` (none when the check gave none). */
  settle(proof: number, annotation: string | undefined): void {
    const learns = this.learntSet.has(proof);
    if (learns && !this.settled.has(proof)) this.learntSettled++;
    this.settled.add(proof);
    if (!learns) return;
    if (annotation !== undefined) this.annotations.set(proof, annotation);
    else this.annotations.delete(proof);
  }

  /**
   * What a proof's result depends on besides the skeleton's text and its own: the `Proof using` of
   * the earlier stand-ins (of any Section) whose name it can see written, as they stand now.
   */
  visibleAnnotations(proof: number): string {
    return this.visible(proof).map((p) => `${p}:${this.annotations.get(p) ?? PLACEHOLDER}`).join('\n');
  }

  /** Whether every proof that learns its variables has settled: the whole skeleton is then final. */
  allSettled(): boolean {
    return this.learntSettled === this.learnt.length;
  }

  /** The `Proof using` of every stand-in whose proof has settled with one. */
  known(): ReadonlyMap<number, string> {
    return this.annotations;
  }
}

/** Coq's suggestion as a stand-in's sentence: a plain list of names, or Coq's sentence as is. */
export function annotationOf(response: CheckResponse | undefined): string | undefined {
  if (!response?.proofUsing) return undefined;
  const words = /^Proof\s+using\s*(.*?)\s*\.$/.exec(response.proofUsing)?.[1].split(/\s+/).filter(Boolean);
  if (!words || !words.every((w) => IDENTIFIER.test(w))) return response.proofUsing;
  return words.length > 0 ? `Proof using ${words.join(' ')}.` : PLACEHOLDER;
}
