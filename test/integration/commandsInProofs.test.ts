/**
 * Commands inside a proof (a `Definition`, a `Hint`, an option) outlive it, and make Coq number
 * its states out of sequence, which the worker's pipelined Adds must notice and recover from.
 * Checked as coqc checks them: whatever uses them later works, an error in one is found where coqc
 * finds it, with one worker and with two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertAgreesWithCoqc } from '../support/agreement';

const GOOD = `Lemma with_commands : True.
Proof.
Set Printing All.
Definition d := 0.
#[export] Hint Resolve I : core.
Definition e := d.
Unset Printing All.
exact I. Qed.
Lemma uses_them : d = 0 /\\ e = 0.
Proof. split; reflexivity. Qed.
Lemma after_them : True.
Proof. auto. Qed.
`;

const dir = mkdtempSync(join(tmpdir(), 'proofpool-commands-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const VARIANTS = {
  good: GOOD,
  'a failing command inside the proof': GOOD.replace('Definition e := d.', 'Definition e := dd.'),
  'a failing tactic after the commands': GOOD.replace('exact I. Qed.\nLemma uses_them', 'exact 0. Qed.\nLemma uses_them'),
};

for (const [name, text] of Object.entries(VARIANTS)) {
  for (const jobs of ['1', '2']) {
    test(`commands inside a proof, ${name}, --jobs ${jobs}: the same verdict as coqc`, async () => {
      await assertAgreesWithCoqc(dir, `${name.replace(/\W+/g, '_')}_${jobs}.v`, text, jobs, 3);
    });
  }
}
