/**
 * Cuts a document's sentences into the skeleton and the delegated proofs (DESIGN.md "Coq
 * delegation"). Correctness first: a proof is delegated only when replacing it by `Admitted.`
 * cannot change what later sentences see; anything doubtful stays in the skeleton. Inside a
 * Section that holds only after `End` if the stand-in names the section variables the proof uses
 * (`Proof using ...`), so such proofs carry the `End` that needs that knowledge.
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
  /** Closed by `Admitted.` in the document: its stand-in is the document's own text. */
  admitted: boolean;
  /** Sentence index of the `End` of the innermost Section holding the proof, if any. */
  sectionEnd?: number;
  /** Sentence index of a `Proof using ...` that opens the proof, if the document gives one. */
  usingSentence?: number;
}

const THEOREM = /^(?:Theorem|Lemma|Fact|Remark|Corollary|Proposition|Property|Example|Goal)\b/;
/** Modifiers that may stand before a statement and do not change how it can be proved. */
const HARMLESS_PREFIX = /^(?:#\[[^\]]*\]\s*|(?:Local|Global|Polymorphic|Monomorphic)\s+)+/;
const PROOF_END = /^(?:Qed|Admitted|Defined|Abort|Save)\b/;
const DELEGABLE_END = /^(?:Qed|Admitted)\s*\.$/;
const PROOF_USING = /^Proof\s+using\b/;
/**
 * Sentences a proof body may hold without leaving anything behind once the proof is closed: tactics
 * (they start in lower case, or are bullets, braces, goal selectors), queries, and proof-mode
 * commands. A command (`Definition`, `Hint`, `Set`, `Require`...) inside a proof is global: it
 * stays after `Qed` and what follows may use it, so such a proof stays in the skeleton.
 */
const COMMAND = /^(?:[A-Z]|#\[)/;
const HARMLESS_COMMAND = /^(?:Proof|Check|Print|Search(?:Pattern|Rewrite)?|About|Locate|Eval|Compute|Show|Focus|Unfocus|Unshelve|Guarded|Optimize|Fail|Succeed|Time|Timeout|Info)\b/;
const PREFIX = /^(?:Time|Timeout\s+\d+|Info\s+\d+)\s+/;
/** A tactic the document defines: its name may be capitalized (`Ltac CaseEq`, `Tactic Notation "Casec"`). */
const TACTIC_DEFINITION = /^(?:(?:Local|Global|#\[[^\]]*\])\s+)*(?:Ltac\s+([\w']+)|Tactic\s+Notation\s*(?:\(\s*at\s+level\s+\d+\s*\)\s*)?"([\w']+)")/;
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

/** Whether this sentence, inside a proof, can change what comes after the proof (see HARMLESS_COMMAND). */
function leavesSomethingBehind(text: string, tactics: ReadonlySet<string>): boolean {
  const command = text.replace(PREFIX, '');
  return COMMAND.test(command) && !HARMLESS_COMMAND.test(command) && !tactics.has(/^[\w']+/.exec(command)?.[0] ?? '');
}

function statementName(text: string): string {
  const match = /^(?:Goal\b|\w+\s+([\w']+))/.exec(text);
  return match?.[1] ?? 'Goal';
}

interface Scope {
  kind: 'section' | 'module';
  /** Proofs whose innermost Section this is. */
  proofs: ProofBlock[];
}

export function findProofs(sentences: Sentence[]): ProofBlock[] {
  const proofs: ProofBlock[] = [];
  const scopes: Scope[] = [];
  let open: { statement: number; name: string; delegable: boolean; usingSentence?: number } | undefined;
  const tactics = new Set<string>();

  sentences.forEach((sentence, index) => {
    const text = head(sentence);
    const tactic = TACTIC_DEFINITION.exec(text);
    if (tactic) tactics.add(tactic[1] ?? tactic[2]);
    if (open) {
      if (PROOF_END.test(text)) {
        const proof: ProofBlock = {
          statement: open.statement,
          close: index,
          name: open.name,
          delegated: open.delegable && DELEGABLE_END.test(text),
          admitted: text.startsWith('Admitted'),
          usingSentence: open.usingSentence,
        };
        proofs.push(proof);
        scopes.findLast((scope) => scope.kind === 'section')?.proofs.push(proof);
        open = undefined;
      } else if (leavesSomethingBehind(text, tactics)) {
        // A command, nested statement or scope change inside a proof: keep the proof in the skeleton.
        open.delegable = false;
      } else if (index === open.statement + 1 && PROOF_USING.test(text)) {
        open.usingSentence = index;
      }
      return;
    }
    if (THEOREM.test(text.replace(HARMLESS_PREFIX, ''))) {
      open = { statement: index, name: statementName(text.replace(HARMLESS_PREFIX, '')), delegable: true };
    } else if (OPENS_SCOPE.test(text) && !/:=/.test(text)) {
      scopes.push({ kind: text.startsWith('Section') ? 'section' : 'module', proofs: [] });
    } else if (CLOSES_SCOPE.test(text)) {
      const closed = scopes.pop();
      if (closed?.kind === 'section') for (const proof of closed.proofs) proof.sectionEnd = index;
    }
  });
  if (open) proofs.push({ statement: open.statement, close: undefined, name: open.name, delegated: false, admitted: false });
  return proofs;
}
