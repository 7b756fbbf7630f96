/**
 * What Coq said about one sentence of a document (an error, a warning, a notice) and how it is
 * shown to the editor: a diagnostic on the sentence, or on the part Coq pointed at, with the goals
 * before a failing sentence as related information.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProofGoals } from '../../../protocol/coqTasks';
import { relatedGoals } from './goals';
import { byteRangeToOffsets } from './locations';
import type { Sentence } from './sentences';

export interface Located {
  sentence: number;
  message: string;
  /** UTF-8 byte offsets inside the sentence, when Coq gives them. */
  loc?: { start: number; end: number };
  severity: DiagnosticSeverity;
  /** The goals before the failing sentence, once its repair task has them. */
  goals?: ProofGoals | null;
  /** Shown only once the goals say it is more than given-up goals (./repair.ts isResumedClose). */
  tentative?: boolean;
}

export function toDiagnostic(document: TextDocument, sentences: readonly Sentence[], located: Located): Diagnostic {
  const sentence = sentences[located.sentence];
  const [start, end] = located.loc ? byteRangeToOffsets(sentence.text, located.loc, sentence.start) : [sentence.start, sentence.end];
  const range = { start: document.positionAt(start), end: document.positionAt(end) };
  const diagnostic: Diagnostic = { range, severity: located.severity, source: 'coq', message: located.message };
  if (located.goals !== undefined) {
    const whole = { start: document.positionAt(sentence.start), end: document.positionAt(sentence.end) };
    diagnostic.relatedInformation = relatedGoals(located.goals, { uri: document.uri, range: whole });
  }
  return diagnostic;
}
