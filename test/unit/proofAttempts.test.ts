import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, TaskChain } from '../../server/src/coq/chain';
import { ProofAttempts } from '../../server/src/coq/proofAttempts';
import { findProofs } from '../../server/src/coq/segments';
import { splitSentences } from '../../server/src/coq/sentences';

const root = { args: [], cwd: '/', key: 'root' };
const TEXT = 'Lemma a : True /\\ True. Proof. split. - bad. more. - exact I. Qed.';
const sentences = splitSentences(TEXT);
const proof = findProofs(sentences)[0];
const index = (text: string) => sentences.findIndex((s) => s.text === text);
/** A proof's chain as a document check builds it: a one-link skeleton (the statement), then the body. */
function chainOf(all = sentences): TaskChain {
  const skeleton = link('', [{ text: all[0].text, sentence: 0 }]);
  const body = all.slice(1).map((s, i) => ({ text: s.text, sentence: 1 + i }));
  return new TaskChain(root, skeleton, 1, link(skeleton[0].hash, body));
}
const texts = (chain: TaskChain) => Array.from({ length: chain.length }, (_, i) => chain.at(i).text);

test('a failure inside a bullet resumes with the block given up, from the next bullet; the state after each sentence comes from the right chain', () => {
  const chain = chainOf();
  const attempts = new ProofAttempts(sentences, proof, chain);
  const bad = index('bad.');
  assert.equal(attempts.stateAfter(index('split.')).chain.length, index('split.') + 1);

  attempts.failed(chain, { index: bad, sentence: bad, message: 'boom' });
  const resumed = attempts.resume(chain, bad)!;
  assert.deepEqual(texts(resumed), ['Lemma a : True /\\ True.', 'Proof.', 'split.', '-', 'all: admit.', '-', 'exact I.', 'Qed.']);
  assert.equal(resumed.at(bad).hash === chain.at(bad).hash, false, 'the resumption is a chain of its own from the failure on');
  assert.equal(resumed.at(bad - 1).hash, chain.at(bad - 1).hash, 'and shares everything before it');

  // Before the failure: the first chain; in the skipped rest of the block: the goals before the failure; after: the resumption.
  assert.equal(attempts.stateAfter(index('split.')).chain.at(index('split.')).hash, chain.at(index('split.')).hash);
  const skipped = attempts.stateAfter(index('more.'));
  assert.equal(skipped.failure?.message, 'boom');
  assert.equal(skipped.chain.length, bad);
  const later = attempts.stateAfter(index('exact I.'));
  assert.equal(later.failure, undefined);
  assert.deepEqual(texts(later.chain).slice(-3), ['all: admit.', '-', 'exact I.']);
});

test('no resumption past a failure outside any block, of the closing sentence, or of the recovery itself', () => {
  const flat = splitSentences('Lemma b : True. Proof. bad. exact I. Qed.');
  const flatChain = chainOf(flat);
  assert.equal(new ProofAttempts(flat, findProofs(flat)[0], flatChain).resume(flatChain, 2), undefined);

  const chain = chainOf();
  const attempts = new ProofAttempts(sentences, proof, chain);
  assert.equal(attempts.resume(chain, index('Qed.')), undefined);
  const resumed = attempts.resume(chain, index('bad.'))!;
  assert.equal(attempts.resume(resumed, index('bad.')), undefined, 'all: admit. failing is the end of it');
});
