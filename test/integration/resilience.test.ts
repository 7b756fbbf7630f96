/**
 * Error resilience with real coqidetop workers: after a failure inside a bullet or brace block,
 * the rest of the proof is checked past that block, so that every error is reported; the proof
 * still counts as failed, the others are unaffected, and the first error is on coqc's line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { ProofStatusNotification, ProofStatusParams } from '../../protocol/lsp';
import { ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from '../support/cli';
import { coqc } from '../support/coq';
import { assertNoneLeft, markedEnv } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-resilience-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Line numbers (1-based) are written at the end of the lines the tests point at. */
const TWO_BULLETS = `Require Import Arith.
Lemma before : 1 + 1 = 2.
Proof. reflexivity. Qed.
Lemma two : forall n m : nat, n + 0 = n /\\ m * 1 = m /\\ 0 + n = n.
Proof.
  intros n m. split; [|split].
  - rewrite Nat.mul_1_r. reflexivity.           (* 7: fails *)
  - apply Nat.add_0_r.                          (* 8: fails *)
  - reflexivity.
Qed.
Lemma after : 2 + 2 = 4.
Proof. reflexivity. Qed.
`;

/** Nested bullets and braces: the failing blocks are skipped to their ends, the others still checked. */
const NESTED = `Lemma nested : (True /\\ True) /\\ (True /\\ 1 = 1).
Proof.
  split.
  - split.
    + exact 0.                                  (* 5: fails *)
    + exact I.
  - split.
    { exact (I I). }                            (* 8: fails *)
    { exact I. }                                (* 9: fails: 1 = 1 is no True *)
Qed.
`;

/** A failure outside any block: nothing sensible is left to check in that proof. */
const TOP_LEVEL = `Lemma flat : True /\\ True.
Proof.
  exact 0.                                      (* 3: fails *)
  split.
  exact 1.
Qed.
`;

/** After a failure, an unfinished bullet and an incomplete proof are still reported; Qed is not blamed for the goals given up. */
const UNFINISHED = `Lemma unfinished : True /\\ True /\\ True.
Proof.
  split; [|split].
  - exact 0.                                    (* 4: fails *)
  - idtac.
  - exact I.                                    (* 6: bullet - is not finished *)
Qed.
Lemma incomplete : True /\\ True /\\ True.
Proof.
  split; [|split].
  - exact 0.                                    (* 11: fails *)
  - exact I.
Qed.                                            (* 13: incomplete *)
`;

async function checkAll(files: Record<string, string>) {
  const { tag, env } = markedEnv();
  const session = await ServerSession.start({ workers: 2 }, { env, serverPath: join(DIST, 'server.js') });
  const statuses: ProofStatusParams[] = [];
  session.connection.onNotification(ProofStatusNotification.type, (p) => statuses.push(p));
  try {
    const results: Record<string, { errors: Diagnostic[]; proofs: unknown; statuses: [string, string][] }> = {};
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const uri = pathToFileURL(path).href;
      const result = await session.check(uri, text);
      const last = statuses.filter((s) => s.uri === uri).at(-1)!;
      results[name] = {
        errors: result.diagnostics.filter((d) => d.severity === 1),
        proofs: result.finished.proofs,
        statuses: last.proofs.map((p) => [p.name, p.status]),
      };
    }
    return results;
  } finally {
    await session.stop();
    await assertNoneLeft(tag);
  }
}

const lines = (errors: Diagnostic[]) => errors.map((e) => e.range.start.line + 1);

test('two independent failing bullets: two errors on their lines, the proof failed, the others checked, coqc agrees on the first', async () => {
  const { 'Two.v': two, 'Nested.v': nested } = await checkAll({ 'Two.v': TWO_BULLETS, 'Nested.v': NESTED });
  assert.deepEqual(lines(two.errors), [7, 8], JSON.stringify(two.errors, null, 1));
  assert.match(two.errors[0].message, /Found no subterm matching "\?M\d+ \* 1"/);
  assert.match(two.errors[1].message, /Unable to unify/);
  assert.equal(TWO_BULLETS.split('\n')[6].slice(two.errors[0].range.start.character, two.errors[0].range.end.character), 'rewrite Nat.mul_1_r');
  assert.deepEqual(two.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
  assert.deepEqual(two.statuses, [['before', 'checked'], ['two', 'failed'], ['after', 'checked']]);
  const truth = coqc(dir, 'Two.v');
  assert.equal(truth.ok, false);
  assert.equal(truth.firstErrorLine, 7, truth.output);

  assert.deepEqual(lines(nested.errors), [5, 8, 9], JSON.stringify(nested.errors, null, 1));
  assert.deepEqual(nested.statuses, [['nested', 'failed']]);
  assert.equal(coqc(dir, 'Nested.v').firstErrorLine, 5);
});

test('a failure outside any block is the only error of its proof; unfinished bullets and incomplete proofs past a failure are reported', async () => {
  const { 'Flat.v': flat, 'Unfinished.v': unfinished } = await checkAll({ 'Flat.v': TOP_LEVEL, 'Unfinished.v': UNFINISHED });
  assert.deepEqual(lines(flat.errors), [3], JSON.stringify(flat.errors, null, 1));
  assert.deepEqual(flat.statuses, [['flat', 'failed']]);

  assert.deepEqual(lines(unfinished.errors), [4, 6, 11, 13], JSON.stringify(unfinished.errors, null, 1));
  assert.match(unfinished.errors[1].message, /Wrong bullet -: Current bullet - is not finished/);
  assert.match(unfinished.errors[3].message, /Attempt to save an incomplete proof/);
  assert.deepEqual(unfinished.statuses, [['unfinished', 'failed'], ['incomplete', 'failed']]);
  assert.equal(coqc(dir, 'Unfinished.v').firstErrorLine, 4);
});
