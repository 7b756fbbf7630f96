/**
 * The fuzzer's quick subset (npm run fuzz runs the full one): every named pathological document,
 * then a few hundred random ones from a fixed seed, through the sentence splitter and the segment
 * finder, each case bounded in time in a worker thread (test/fuzz/inProcess.ts). A failure names
 * the case and the command that runs it alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NAMED_CASES, namedCaseCount } from '../fuzz/cases';
import { CaseFailure, runInProcess } from '../fuzz/inProcess';
import { proofProblems, sentenceProblems } from '../fuzz/oracle';
import { splitSentences } from '../../server/src/coq/sentences';
import { findProofs } from '../../server/src/coq/segments';

const SEED = 20_240_607;
const RANDOM_CASES = 300;

function explain(failures: CaseFailure[]): string {
  return failures.map((f) => `case ${f.index} (${f.kind}): ${f.problems.join('; ')} — rerun: npm run fuzz -- --seed ${SEED} --case ${f.index}`).join('\n');
}

const run = (indices: number[]) => runInProcess({ master: SEED, indices, baseTimeoutMs: 5000, perMegabyteMs: 1000 });

test(`every named pathological case (${NAMED_CASES.length}): no throw, no hang, consistent sentences and proofs`, async () => {
  const summary = await run(Array.from({ length: namedCaseCount() }, (_, i) => i));
  assert.equal(summary.cases, NAMED_CASES.length);
  assert.deepEqual(summary.failures, [], explain(summary.failures));
});

test(`${RANDOM_CASES} random cases from seed ${SEED}: no throw, no hang, consistent sentences and proofs`, async () => {
  const first = namedCaseCount();
  const summary = await run(Array.from({ length: RANDOM_CASES }, (_, i) => first + i));
  assert.equal(summary.cases, RANDOM_CASES);
  assert.deepEqual(summary.failures, [], explain(summary.failures));
});

test('the oracle itself notices broken results', () => {
  const text = 'Lemma l : True. Proof. exact I. Qed. Check l.';
  const sentences = splitSentences(text);
  assert.deepEqual(sentenceProblems(text, sentences), []);
  assert.deepEqual(proofProblems(sentences, findProofs(sentences)), []);
  const shifted = sentences.map((s) => ({ ...s, start: s.start + 1 }));
  assert.notDeepEqual(sentenceProblems(text, shifted), []);
  assert.notDeepEqual(sentenceProblems(text, sentences.slice(1)), [], 'a sentence left out');
  assert.notDeepEqual(proofProblems(sentences, [{ statement: 0, close: 3, name: 'l', delegated: true, admitted: true }]), [], 'admitted, closed by Qed');
  assert.notDeepEqual(proofProblems(sentences, [{ statement: 2, close: 1, name: 'l', delegated: false, admitted: false }]), [], 'closed before it starts');
});
