import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, rootHash, TaskChain } from '../../server/src/coq/chain';

const root = { args: [], cwd: '/tmp', key: 'root' };

function chainOf(texts: string[], prefixLength = texts.length) {
  const links = link(rootHash(root), texts.map((text, sentence) => ({ text, sentence })));
  return new TaskChain(root, links, prefixLength);
}

test('chains that share sentences share their hashes up to the first difference', () => {
  const a = chainOf(['A.', 'B.', 'C.', 'D.']);
  const b = chainOf(['A.', 'B.', 'X.', 'D.']);
  assert.equal(a.commonPrefix(b, b.length), 2);
  assert.notEqual(a.at(3).hash, b.at(3).hash, 'a hash covers everything before it');
});

test('the common prefix is bounded by how much of the other chain a worker holds', () => {
  const a = chainOf(['A.', 'B.', 'C.']);
  assert.equal(a.commonPrefix(a, 1), 1);
  assert.equal(a.commonPrefix(a, 3), 3);
  assert.equal(a.commonPrefix(chainOf(['A.', 'B.', 'C.', 'D.']), 4), 3);
});

test('another root shares nothing, even with the same sentences', () => {
  const other = new TaskChain({ args: ['-Q', '.', 'X'], cwd: '/tmp', key: 'other' }, link(rootHash({ args: [], cwd: '', key: 'other' }), [{ text: 'A.', sentence: 0 }]), 1);
  assert.equal(chainOf(['A.']).commonPrefix(other, 1), 0);
});

test('a task chain is a shared skeleton prefix followed by its own sentences', () => {
  const skeleton = link(rootHash(root), ['A.', 'Lemma l : True.', 'Admitted.', 'B.'].map((text, sentence) => ({ text, sentence })));
  const tail = link(skeleton[1].hash, [{ text: 'Proof.', sentence: 2 }, { text: 'exact I.', sentence: 3 }]);
  const task = new TaskChain(root, skeleton, 2, tail);
  assert.equal(task.length, 4);
  assert.deepEqual(task.slice(1).map((s) => s.text), ['Lemma l : True.', 'Proof.', 'exact I.']);
  const whole = new TaskChain(root, skeleton, skeleton.length);
  assert.equal(task.commonPrefix(whole, whole.length), 2, 'a worker holding the skeleton can rewind to the statement');
});
