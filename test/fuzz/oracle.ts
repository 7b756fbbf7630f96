/**
 * What must hold for any text, however broken: the splitter and the segment finder return (never
 * throw), and what they return is consistent. One case in, a list of broken promises out.
 */
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProofs, ProofBlock } from '../../server/src/coq/segments';
import { Sentence, splitSentences } from '../../server/src/coq/sentences';

const BLANKS = /^[ \n\r\t\f]*$/;

/** Sentences in order, not overlapping, each the slice it claims; only the last may be incomplete; between them only blanks and comments. */
export function sentenceProblems(text: string, sentences: Sentence[]): string[] {
  const problems: string[] = [];
  let previousEnd = 0;
  for (let k = 0; k < sentences.length && problems.length < 5; k++) {
    const s = sentences[k];
    if (!(s.start >= previousEnd && s.end > s.start && s.end <= text.length)) problems.push(`sentence ${k} [${s.start}, ${s.end}) out of place (previous end ${previousEnd})`);
    else if (s.text !== text.slice(s.start, s.end)) problems.push(`sentence ${k}'s text is not the slice it claims`);
    if (!s.complete && k !== sentences.length - 1) problems.push(`sentence ${k} is incomplete but not last`);
    const gap = text.slice(previousEnd, s.start);
    // A gap is blanks and whole comments: the splitter itself is the judge of comments, so check the ends only.
    const trimmed = gap.replace(/^[ \n\r\t\f]+|[ \n\r\t\f]+$/g, '');
    if (trimmed !== '' && !(trimmed.startsWith('(*') && trimmed.endsWith('*)'))) problems.push(`gap before sentence ${k} is not blanks and comments: ${JSON.stringify(trimmed.slice(0, 60))}`);
    previousEnd = s.end;
  }
  // After the last sentence: blanks and comments, unless the last one is incomplete (then it runs to the end or to trailing blanks).
  const tail = text.slice(previousEnd).replace(/^[ \n\r\t\f]+|[ \n\r\t\f]+$/g, '');
  if (tail !== '' && !(tail.startsWith('(*') && tail.endsWith('*)'))) problems.push(`text after the last sentence: ${JSON.stringify(tail.slice(0, 60))}`);
  if (sentences.length === 0 && !BLANKS.test(text) && !text.trimStart().startsWith('(*')) problems.push('no sentence in a text that is not blanks or comments');
  return problems;
}

/** Proofs in order and disjoint, with indices inside the document and flags that agree with their closing sentence. */
export function proofProblems(sentences: Sentence[], proofs: ProofBlock[]): string[] {
  const problems: string[] = [];
  let previousClose = -1;
  for (let p = 0; p < proofs.length && problems.length < 5; p++) {
    const proof = proofs[p];
    const where = `proof ${p} (${proof.name}, sentence ${proof.statement})`;
    if (!Number.isInteger(proof.statement) || proof.statement <= previousClose || proof.statement >= sentences.length) problems.push(`${where}: statement out of place`);
    if (proof.close === undefined) {
      if (p !== proofs.length - 1) problems.push(`${where}: unclosed but not last`);
      if (proof.delegated) problems.push(`${where}: delegated though never closed`);
    } else {
      if (!(proof.close > proof.statement && proof.close < sentences.length)) problems.push(`${where}: closing sentence ${proof.close} out of place`);
      const closing = sentences[proof.close]?.text ?? '';
      if (proof.delegated && !/^(?:Qed|Admitted)\s*\.$/.test(closing)) problems.push(`${where}: delegated but closed by ${JSON.stringify(closing.slice(0, 40))}`);
      if (proof.admitted && !closing.startsWith('Admitted')) problems.push(`${where}: admitted but closed by ${JSON.stringify(closing.slice(0, 40))}`);
      previousClose = proof.close;
    }
    if (proof.sectionEnd !== undefined && !(proof.close !== undefined && proof.sectionEnd > proof.close && proof.sectionEnd < sentences.length)) problems.push(`${where}: section end ${proof.sectionEnd} out of place`);
    if (proof.usingSentence !== undefined && proof.usingSentence !== proof.statement + 1) problems.push(`${where}: Proof using at ${proof.usingSentence}`);
    if (typeof proof.name !== 'string' || proof.name === '') problems.push(`${where}: no name`);
  }
  return problems;
}

/** Splits and finds proofs; a throw is a problem like any other. */
export function checkText(text: string): { problems: string[]; sentences: number; proofs: number } {
  let sentences: Sentence[];
  try {
    sentences = splitSentences(text);
  } catch (error) {
    return { problems: [`splitSentences threw: ${describe(error)}`], sentences: 0, proofs: 0 };
  }
  const problems = sentenceProblems(text, sentences);
  let proofs: ProofBlock[];
  try {
    proofs = findProofs(sentences);
  } catch (error) {
    return { problems: [...problems, `findProofs threw: ${describe(error)}`], sentences: sentences.length, proofs: 0 };
  }
  return { problems: [...problems, ...proofProblems(sentences, proofs)], sentences: sentences.length, proofs: proofs.length };
}

/** Diagnostics whose range is not ordered and inside the text (the server maps Coq's byte offsets onto UTF-16 lines). */
export function diagnosticsOutOfPlace(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const document = TextDocument.create('file:///check.v', 'coq', 1, text);
  // A position past its line's end, or past the text, does not survive the round trip (offsetAt clamps it).
  const inside = (p: { line: number; character: number }) => {
    const back = document.positionAt(document.offsetAt(p));
    return back.line === p.line && back.character === p.character;
  };
  return diagnostics.filter((d) => !inside(d.range.start) || !inside(d.range.end) || document.offsetAt(d.range.start) > document.offsetAt(d.range.end));
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 4).join(' | ') : String(error);
}
