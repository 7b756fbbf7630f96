import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resumeAfterFailure } from '../../server/src/coq/proofStructure';
import { splitSentences } from '../../server/src/coq/sentences';

/** The sentence checking resumes at after `failing` fails, in a proof body given as text (Qed last). */
function resume(body: string, failing: string): string | undefined {
  const texts = splitSentences(body).map((s) => s.text);
  const at = texts.indexOf(failing);
  assert.ok(at >= 0, `no sentence ${failing}`);
  const r = resumeAfterFailure(texts, at);
  return r === undefined ? undefined : `${r}:${texts[r]}`;
}

test('a failure outside any block (or at the closing sentence) leaves nothing to resume', () => {
  assert.equal(resume('Proof. intros. bad. split. Qed.', 'bad.'), undefined);
  assert.equal(resume('Proof. split. - a. - b. Qed.', 'Qed.'), undefined);
  assert.equal(resume('Proof. intros. Qed.', 'Proof.'), undefined);
});

test('a failure in a bullet skips to the next bullet of its level, or of an enclosing one, or the closing sentence', () => {
  assert.equal(resume('Proof. split. - bad. more. - b. Qed.', 'bad.'), '5:-');
  assert.equal(resume('Proof. split. - a. + bad. x. * y. * z. + w. - c. Qed.', 'bad.'), '11:+');
  assert.equal(resume('Proof. split. - a. + b. + bad. x. - c. Qed.', 'bad.'), '9:-');
  assert.equal(resume('Proof. split. - a. - bad. more. Qed.', 'bad.'), '7:Qed.');
});

test('braces: a failure inside skips to the matching }, nested blocks included; a failing { skips its own block', () => {
  assert.equal(resume('Proof. split. { bad. { x. } y. } { z. } Qed.', 'bad.'), '8:}');
  assert.equal(resume('Proof. split. - { bad. - x. } - y. Qed.', 'bad.'), '7:}');
  assert.equal(resume('Proof. split. - 3: { x. } y. - z. Qed.', '3: {'), '7:-');
  assert.equal(resume('Proof. split. 2: { bad. } a. Qed.', 'bad.'), '4:}');
});

test('a failing bullet or } resumes at itself (giving up what is left of the block before it lets it pass)', () => {
  assert.equal(resume('Proof. split. - idtac. - exact I. Qed.', '-'), undefined, 'the first bullet: no block before it');
  const texts = splitSentences('Proof. split. - idtac. - exact I. Qed.').map((s) => s.text);
  assert.equal(resumeAfterFailure(texts, 4), 4);
  assert.equal(resume('Proof. split. { idtac. } exact I. Qed.', '}'), '4:}');
});
