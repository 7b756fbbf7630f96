/**
 * The section variables each delegated proof in a Section uses: what its stand-in must declare
 * (`Proof using H. Admitted.`) so that after `End` the lemma quantifies over exactly what `coqc`
 * makes it quantify over.
 *
 * Coq tells the worker that checks a proof (`Suggest Proof Using`), but its answer counts the
 * variables of every lemma the proof uses, and earlier lemmas of the same Section are stand-ins
 * whose variables are not known yet: they stand in with `Proof using.` (only the variables of their
 * statement) and the worker reports which of them the proof depends on (`Print Assumptions`). A
 * proof's variables are then its own plus those of the stand-ins it used, in document order.
 * `Print Assumptions` walks every dependency (a third of a worker's time on List.v), so it is asked
 * only about stand-ins whose name the proof can see written somewhere (./mentions.ts).
 */
import type { CheckRequest, CheckResponse } from '../../../protocol/coqTasks';
import { Mentions } from './mentions';
import type { ProofBlock } from './segments';
import type { Sentence } from './sentences';

/** What a stand-in declares until its proof has been checked. */
const PLACEHOLDER = 'Proof using.';
const IDENTIFIER = /^[A-Za-z_\u00C0-\uFFFF][\w'\u00C0-\uFFFF]*$/;

export class SectionUsage {
  /** Delegated proofs whose stand-in learns its `Proof using` from a worker. */
  readonly learnt: number[];
  private readonly settled = new Set<number>();
  private readonly responses = new Map<number, CheckResponse>();
  private readonly variables = new Map<number, Set<string> | string | undefined>();

  private readonly mentions: Mentions | undefined;

  constructor(
    private readonly proofs: readonly ProofBlock[],
    sentences: readonly Sentence[],
  ) {
    this.learnt = proofs.flatMap((p, i) => (p.delegated && p.sectionEnd !== undefined && p.usingSentence === undefined && !p.admitted ? [i] : []));
    this.mentions = this.learnt.length > 0 ? new Mentions(sentences, proofs) : undefined;
  }

  /** The stand-in's `Proof using` while the proof has not been checked. */
  placeholder(proof: number): string | undefined {
    return this.learnt.includes(proof) ? PLACEHOLDER : undefined;
  }

  /** The earlier stand-ins of still-open Sections this proof might use, to be asked about. */
  assumptionsQuery(proof: number): CheckRequest['assumptionsOf'] {
    const { name, statement } = this.proofs[proof];
    if (!this.learnt.includes(proof) || name === 'Goal') return undefined;
    const candidates = this.learnt
      .filter((p) => p < proof && this.proofs[p].sectionEnd! > statement && this.proofs[p].name !== 'Goal')
      .filter((p) => this.mentions!.visibleTo(proof, this.proofs, this.proofs[p].name, this.proofs[p].close!))
      .map((p) => this.proofs[p].name);
    return candidates.length > 0 ? { name, candidates: [...new Set(candidates)] } : undefined;
  }

  /** The proof's task has its final outcome (a response, or none when it failed to run). */
  settle(proof: number, response: CheckResponse | undefined): void {
    this.settled.add(proof);
    if (response) this.responses.set(proof, response);
  }

  /** Whether every proof that learns its variables and comes before this sentence has settled. */
  settledBefore(sentence: number): boolean {
    return this.learnt.every((p) => this.proofs[p].statement > sentence || this.settled.has(p));
  }

  /** The `Proof using` of each stand-in whose innermost Section ends at this sentence, where known. */
  annotationsEndingAt(end: number): Map<number, string> {
    const annotations = new Map<number, string>();
    for (const proof of this.learnt) {
      if (this.proofs[proof].sectionEnd !== end) continue;
      const used = this.variablesOf(proof);
      if (typeof used === 'string') annotations.set(proof, used);
      else if (used) annotations.set(proof, used.size ? `Proof using ${[...used].join(' ')}.` : PLACEHOLDER);
    }
    return annotations;
  }

  /** A set of variable names, or Coq's sentence as is when it is not a plain list; undefined if unknown. */
  private variablesOf(proof: number): Set<string> | string | undefined {
    if (this.variables.has(proof)) return this.variables.get(proof);
    const response = this.responses.get(proof);
    let result: Set<string> | string | undefined;
    if (response?.proofUsing) {
      const words = /^Proof\s+using\s*(.*?)\s*\.$/.exec(response.proofUsing)?.[1].split(/\s+/).filter(Boolean);
      if (!words || !words.every((w) => IDENTIFIER.test(w))) result = response.proofUsing;
      else {
        const names = new Set(words);
        for (const name of response.usesStandIns ?? []) {
          const used = this.variablesOf(this.latestBefore(proof, name));
          if (typeof used === 'object') for (const variable of used) names.add(variable);
        }
        result = names;
      }
    }
    this.variables.set(proof, result);
    return result;
  }

  /** The last proof named `name` before `proof` (a later one of the same name shadows it). */
  private latestBefore(proof: number, name: string): number {
    return this.learnt.findLast((p) => p < proof && this.proofs[p].name === name)!;
  }
}
