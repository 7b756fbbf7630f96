/**
 * Where each identifier is written in a document, to tell cheaply that a proof cannot depend on
 * an earlier lemma: a Coq term can only reach a lemma through its name, written in the proof
 * itself or in a sentence the proof can see (a Hint, an Ltac, a Notation, another statement, a
 * proof kept in the skeleton). Comments and strings count too, which only errs on the safe side.
 */
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

/** Coq identifiers, and the parts of qualified names (`M.foo` mentions `foo`). */
const IDENTIFIER = /[A-Za-z_\u00C0-\uFFFF][\w'\u00C0-\uFFFF]*/g;

export class Mentions {
  /** Sentence indices where each identifier appears, ascending. */
  private readonly where = new Map<string, number[]>();
  /** For each sentence inside a delegated proof's body (after its statement), that proof. */
  private readonly bodyOf: (number | undefined)[];

  constructor(sentences: readonly Sentence[], proofs: readonly ProofBlock[]) {
    sentences.forEach((sentence, index) => {
      for (const [token] of sentence.text.matchAll(IDENTIFIER)) {
        const list = this.where.get(token);
        if (list === undefined) this.where.set(token, [index]);
        else if (list.at(-1) !== index) list.push(index);
      }
    });
    this.bodyOf = new Array(sentences.length);
    proofs.forEach((proof, p) => {
      if (!proof.delegated || proof.close === undefined) return;
      for (let s = proof.statement + 1; s <= proof.close; s++) this.bodyOf[s] = p;
    });
  }

  /**
   * Who sees `name` written after sentence `after`: every proof from the first sentence outside
   * all delegated bodies that writes it (`from`: a sentence every later proof sees), and the
   * delegated proofs whose own body writes it (those replaced by stand-ins write nothing others see).
   */
  readersOf(name: string, after: number): { from: number | undefined; bodies: Set<number> } {
    let from: number | undefined;
    const bodies = new Set<number>();
    for (const s of this.where.get(name) ?? []) {
      if (s <= after) continue;
      const body = this.bodyOf[s];
      if (body !== undefined) bodies.add(body);
      else if (from === undefined) from = s;
    }
    return { from, bodies };
  }
}
