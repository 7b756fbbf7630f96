import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findProofs } from '../../server/src/coq/segments';
import { splitSentences } from '../../server/src/coq/sentences';

function proofsOf(text: string) {
  const sentences = splitSentences(text);
  return findProofs(sentences).map((p) => ({
    name: p.name,
    delegated: p.delegated,
    statement: sentences[p.statement].text,
    close: p.close === undefined ? undefined : sentences[p.close].text,
  }));
}

test('a Lemma closed by Qed outside any Section is delegated', () => {
  assert.deepEqual(proofsOf('Lemma a : True.\nProof. exact I. Qed.'), [
    { name: 'a', delegated: true, statement: 'Lemma a : True.', close: 'Qed.' },
  ]);
});

test('every theorem-like keyword starts a proof; Goal is anonymous', () => {
  const keywords = ['Theorem', 'Lemma', 'Fact', 'Remark', 'Corollary', 'Proposition', 'Property', 'Example'];
  const text = keywords.map((k, i) => `${k} p${i} : True. Proof. exact I. Qed.`).join('\n') + '\nGoal True. exact I. Qed.';
  const proofs = proofsOf(text);
  assert.deepEqual(proofs.map((p) => p.name), [...keywords.map((_, i) => `p${i}`), 'Goal']);
  assert.ok(proofs.every((p) => p.delegated));
});

test('Admitted proofs are delegated; Defined, Abort and Save ones stay in the skeleton', () => {
  const proofs = proofsOf(
    'Lemma a : True. Admitted.\nLemma b : True. Proof. exact I. Defined.\nLemma c : True. Proof. Abort.\nLemma d : True. Proof. exact I. Save d.',
  );
  assert.deepEqual(proofs.map((p) => [p.name, p.delegated]), [['a', true], ['b', false], ['c', false], ['d', false]]);
});

test('proofs inside a Section are delegated and carry the End that must wait for them', () => {
  const text = 'Section S.\nVariable n : nat.\nLemma in_section : n = n.\nProof. reflexivity. Qed.\nEnd S.\nLemma after : True.\nProof. exact I. Qed.';
  const sentences = splitSentences(text);
  const proofs = findProofs(sentences);
  assert.deepEqual(proofs.map((p) => [p.name, p.delegated]), [['in_section', true], ['after', true]]);
  assert.equal(sentences[proofs[0].sectionEnd!].text, 'End S.');
  assert.equal(proofs[1].sectionEnd, undefined);
});

test('a nested Section: a proof waits for the End of its innermost Section', () => {
  const text = 'Section A.\nSection B.\nLemma inner : True. Proof. exact I. Qed.\nEnd B.\nLemma outer : True. Proof. exact I. Qed.\nEnd A.';
  const sentences = splitSentences(text);
  const [inner, outer] = findProofs(sentences);
  assert.equal(sentences[inner.sectionEnd!].text, 'End B.');
  assert.equal(sentences[outer.sectionEnd!].text, 'End A.');
});

test('an explicit Proof using and an Admitted closing are remembered', () => {
  const text = 'Section S.\nLemma a : True.\nProof using.\nexact I. Qed.\nLemma b : True. Admitted.\nEnd S.';
  const sentences = splitSentences(text);
  const [a, b] = findProofs(sentences);
  assert.equal(sentences[a.usingSentence!].text, 'Proof using.');
  assert.equal(a.admitted, false);
  assert.equal(b.admitted, true);
  assert.equal(b.usingSentence, undefined);
});

test('proofs inside a Module are delegated; a Module defined with := opens nothing', () => {
  const text = 'Module M.\nLemma a : True. Proof. exact I. Qed.\nEnd M.\nModule N := M.\nSection S.\nLemma b : True. Proof. exact I. Qed.\nEnd S.';
  const sentences = splitSentences(text);
  const proofs = findProofs(sentences);
  assert.deepEqual(proofs.map((p) => [p.name, p.delegated]), [['a', true], ['b', true]]);
  assert.equal(proofs[0].sectionEnd, undefined, 'End M closes a module, not a section');
  assert.equal(sentences[proofs[1].sectionEnd!].text, 'End S.');
});

test('attributes and locality before a statement are allowed', () => {
  const proofs = proofsOf('#[local] Lemma a : True. Proof. exact I. Qed.\nLocal Theorem b : True. Proof. exact I. Qed.');
  assert.deepEqual(proofs.map((p) => [p.name, p.delegated]), [['a', true], ['b', true]]);
});

test('a proof holding a nested statement is not delegated', () => {
  const proofs = proofsOf('Lemma outer : True.\nProof.\nLemma inner : True. Proof. exact I. Qed.\nexact I. Qed.');
  assert.equal(proofs[0].name, 'outer');
  assert.equal(proofs[0].delegated, false);
});

test('a proof holding a command that outlives it (Definition, Hint, Set, an attribute) stays in the skeleton', () => {
  for (const command of ['Definition d := 0.', 'Hint Resolve I : core.', 'Set Printing All.', '#[local] Hint Resolve I : core.', 'Time Definition d := 0.']) {
    const [proof] = proofsOf(`Lemma a : True.\nProof.\n${command}\nexact I. Qed.`);
    assert.equal(proof.delegated, false, command);
  }
});

test('queries, proof-mode commands and capitalized tactics the document defines leave nothing behind: delegated', () => {
  const text = `Ltac CaseEq x := destruct x.\nTactic Notation "Casec" constr(x) := case x.\nLemma a (b : bool) : True.\nProof.\nCheck b. Show. Time CaseEq b. Casec true. Focus 1. all: exact I. Unfocus. Qed.`;
  assert.deepEqual(proofsOf(text).map((p) => [p.name, p.delegated]), [['a', true]]);
  assert.equal(proofsOf('Lemma a : True.\nProof. Unknown_capitalized. exact I. Qed.')[0].delegated, false, 'a capitalized word it does not know is taken for a command');
});

test('a proof the document never closes is reported without a closing sentence, not delegated', () => {
  assert.deepEqual(proofsOf('Lemma open : True.\nProof. exact I.'), [{ name: 'open', delegated: false, statement: 'Lemma open : True.', close: undefined }]);
});

test('definitions, instances and comments are not proofs', () => {
  assert.deepEqual(proofsOf('(* Lemma fake : True. *)\nDefinition x := 1.\nInstance i : True. exact I. Defined.'), []);
});
