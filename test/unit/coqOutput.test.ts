import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assumptionNames, proofUsingSuggestion } from '../../worker/src/coqOutput';

test('the first Proof using suggestion is taken, with the name broken onto its own line', () => {
  const message = 'The proof of Permutation_vs_cons_inv\nshould start with one of the following commands:\nProof using . \nProof using Type. ';
  assert.equal(proofUsingSuggestion(message), 'Proof using .');
  assert.equal(proofUsingSuggestion('The proof of a should start with one of the following commands:\nProof using\u00a0H.\u00a0\nProof using All. '), 'Proof using H.');
  assert.equal(proofUsingSuggestion('a is declared'), undefined);
});

test('Print Assumptions: names with short types on their line and long types on the next', () => {
  const printed = [
    'Section Variables:',
    'n',
    ': nat',
    'Axioms:',
    'p : n = 1',
    'pos_length_pow',
    '  : forall p : positive,',
    '    (Z.pos p < Zpower_nat n (S (Pos.to_nat (pos_length p))))%Z',
    'Coq.Logic.Classical_Prop.classic : forall P : Prop, P \\/ ~ P',
  ].join('\n');
  assert.deepEqual([...assumptionNames(printed)].sort(), ['classic', 'n', 'p', 'pos_length_pow']);
});
