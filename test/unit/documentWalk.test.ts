/**
 * The walk over a big document lets other events in while it goes (DocumentCheck.advance): a
 * worker that becomes ready meanwhile gets the first task at once, not after the whole walk.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentCheck } from '../../server/src/coq/documentCheck';
import type { ProofTask } from '../../server/src/coq/proofPolicy';
import { waitFor } from '../support/processes';

test('a long walk pauses for waiting events, then submits every proof', async () => {
  const lemmas = 5000; // far more than one slice of the walk reaches (~0.1 s in all here)
  const text = Array.from({ length: lemmas }, (_, i) => `Lemma l${i} : True.\nProof. exact I. Qed.\n`).join('');
  const submitted: ProofTask[] = [];
  const check = new DocumentCheck(TextDocument.create('file:///tmp/Big.v', 'coq', 1, text), { args: [], cwd: '/tmp', key: 'big' }, {
    submit: (task) => {
      submitted.push(task);
      return { id: submitted.length, done: new Promise(() => {}), cancel: () => {} };
    },
    publish: () => {},
    finished: () => assert.fail('no task was answered'),
  });
  let during: number | undefined;
  setImmediate(() => (during = submitted.length));
  check.start();
  const first = submitted.length;
  assert.ok(first > 0 && first < lemmas, `the first slice submitted ${first} of ${lemmas}`);
  // Every proof, then the task that walks the whole skeleton.
  await waitFor(() => submitted.length >= lemmas + 1, 'every proof and the whole-skeleton task to be submitted');
  assert.ok(during !== undefined && during < lemmas, `an event ran with ${during} of ${lemmas} submitted`);
  check.cancel();
});
