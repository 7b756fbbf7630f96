/**
 * Cuts a document's sentences into the skeleton and the delegated proofs (DESIGN.md "Coq
 * delegation"). Correctness first: a proof is delegated only when replacing it by `Admitted.`
 * cannot change what later sentences see; anything doubtful stays in the skeleton.
 */
import type { Sentence } from './sentences';

/** A statement and its proof, from the statement sentence to the closing sentence (inclusive). */
export interface ProofBlock {
  /** Sentence index of the statement (`Lemma foo : ...`). */
  statement: number;
  /** Sentence index of the closing sentence (`Qed.`, `Defined.`...); undefined if the document ends first. */
  close: number | undefined;
  /** The lemma's name, for messages ("Goal" for anonymous goals). */
  name: string;
  /** Checked by a worker of its own (true) or as part of the skeleton (false). */
  delegated: boolean;
}

const THEOREM = /^(?:Theorem|Lemma|Fact|Remark|Corollary|Proposition|Property|Example|Goal)\b/;
/** Modifiers that may stand before a statement and do not change how it can be proved. */
const HARMLESS_PREFIX = /^(?:#\[[^\]]*\]\s*|(?:Local|Global|Polymorphic|Monomorphic)\s+)+/;
const PROOF_END = /^(?:Qed|Admitted|Defined|Abort|Save)\b/;
const DELEGABLE_END = /^(?:Qed|Admitted)\s*\.$/;
const OPENS_SCOPE = /^(?:Section|Module(?:\s+Type)?)\s+[\w']+/;
const CLOSES_SCOPE = /^End\s+[\w']+\s*\.$/;

/** The sentence text with leading comments removed (statements may be preceded by doc comments in their sentence). */
function head(sentence: Sentence): string {
  let text = sentence.text;
  while (text.startsWith('(*')) {
    const close = text.indexOf('*)');
    if (close < 0) return '';
    text = text.slice(close + 2).trimStart();
  }
  return text;
}

function statementName(text: string): string {
  const match = /^(?:Goal\b|\w+\s+([\w']+))/.exec(text);
  return match?.[1] ?? 'Goal';
}

export function findProofs(sentences: Sentence[]): ProofBlock[] {
  const proofs: ProofBlock[] = [];
  /** Open Sections and Modules, innermost last: a proof inside a Section is not delegated (its section variables matter). */
  const scopes: ('section' | 'module')[] = [];
  let open: { statement: number; name: string; delegable: boolean } | undefined;

  sentences.forEach((sentence, index) => {
    const text = head(sentence);
    const stripped = text.replace(HARMLESS_PREFIX, '');
    if (open) {
      if (PROOF_END.test(text)) {
        proofs.push({ statement: open.statement, close: index, name: open.name, delegated: open.delegable && DELEGABLE_END.test(text) });
        open = undefined;
      } else if (THEOREM.test(stripped) || OPENS_SCOPE.test(text) || CLOSES_SCOPE.test(text)) {
        // Nested statement or scope change inside a proof: keep the outer proof in the skeleton.
        open.delegable = false;
      }
      return;
    }
    if (THEOREM.test(stripped)) {
      open = { statement: index, name: statementName(stripped), delegable: !scopes.includes('section') };
    } else if (OPENS_SCOPE.test(text) && !/:=/.test(text)) {
      scopes.push(text.startsWith('Section') ? 'section' : 'module');
    } else if (CLOSES_SCOPE.test(text)) {
      scopes.pop();
    }
  });
  if (open) proofs.push({ statement: open.statement, close: undefined, name: open.name, delegated: false });
  return proofs;
}
