/**
 * After `End`, a lemma of the Section quantifies over the variables its proof used: a proof after
 * `End` that uses it must see that type (its stand-in's learnt `Proof using`), while proofs that
 * cannot name it run meanwhile. Checked as coqc checks them, with one worker and with two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertAgreesWithCoqc } from '../support/agreement';

/**
 * `a` uses H: after End it is `forall n, n = 0 -> n + 0 = 0`, which `uses_a` and the Hint rely on.
 * Its proof takes a second, so that with two workers the other one reaches `uses_a` before `a`
 * has said what it uses (and must wait), and checks `unrelated` meanwhile.
 */
const USES_H = `Section S.
Variable n : nat.
Hypothesis H : n = 0.
Lemma a : n + 0 = 0.
Proof. do 1000000 idtac. rewrite <- plus_n_O. exact H. Qed.
Lemma inside : True.
Proof. exact I. Qed.
End S.
Lemma uses_a : forall m, m = 0 -> m + 0 = 0.
Proof. intros m Hm. exact (a m Hm). Qed.
Lemma unrelated : 1 = 1.
Proof. reflexivity. Qed.
#[export] Hint Resolve a : core.
Lemma through_the_hint : forall m, m = 0 -> m + 0 = 0.
Proof. intros m Hm. eauto. Qed.
`;

const VARIANTS = {
  'a lemma that used a hypothesis': USES_H,
  // Without H, a's type after End has no hypothesis: applying it to one is the error coqc reports.
  'a lemma that used none': USES_H.replace('Lemma a : n + 0 = 0.\nProof. do 1000000 idtac. rewrite <- plus_n_O. exact H. Qed.', 'Lemma a : n + 0 = n.\nProof. do 1000000 idtac. rewrite <- plus_n_O. reflexivity. Qed.'),
};

const dir = mkdtempSync(join(tmpdir(), 'proofpool-section-end-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, text] of Object.entries(VARIANTS)) {
  for (const jobs of ['1', '2']) {
    test(`after End, ${name}, --jobs ${jobs}: the same verdict as coqc`, async () => {
      await assertAgreesWithCoqc(dir, `${name.replace(/\W+/g, '_')}_${jobs}.v`, text, jobs, 5);
    });
  }
}
