import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proofUsingSuggestion } from '../../worker/src/coqOutput';

test('the first Proof using suggestion is taken, with the name broken onto its own line', () => {
  const message = 'The proof of Permutation_vs_cons_inv\nshould start with one of the following commands:\nProof using . \nProof using Type. ';
  assert.equal(proofUsingSuggestion(message), 'Proof using .');
  assert.equal(proofUsingSuggestion('The proof of a should start with one of the following commands:\nProof using\u00a0H.\u00a0\nProof using All. '), 'Proof using H.');
  assert.equal(proofUsingSuggestion('a is declared'), undefined);
});
