/** The per-proof time limit with a real endless Coq tactic: that proof times out, the others keep their verdicts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkInProcess } from '../support/checkInProcess';
import { assertNoneLeft, markedEnv } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-timelimit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DOCUMENT = `Ltac loop := idtac; loop.
Lemma before : True.
Proof. exact I. Qed.
Lemma endless : True.
Proof. loop. Qed.
Lemma after_it : 1 = 1.
Proof. reflexivity. Qed.
Lemma broken : 1 = 2.
Proof. reflexivity. Qed.
`;

for (const workers of [1, 2]) {
  test(`an endless tactic is stopped at the time limit and reported; the other proofs keep their verdicts (${workers} workers)`, async () => {
    const file = join(dir, `Endless${workers}.v`);
    writeFileSync(file, DOCUMENT);
    const { tag, env } = markedEnv();
    const { proofs, statuses, diagnostics } = await checkInProcess(file, workers, { proofTimeLimitMs: 1500 }, env);
    assert.deepEqual(proofs, { total: 4, checked: 2, failed: 1, timedOut: 1, unchecked: 0 });
    assert.deepEqual(statuses.map((s) => [s.name, s.status]), [['before', 'checked'], ['endless', 'timedOut'], ['after_it', 'checked'], ['broken', 'failed']]);
    const timedOut = diagnostics.find((d) => d.message.startsWith('Timed out'))!;
    assert.equal(timedOut.range.start.line, 3, 'reported at the statement of the endless proof');
    assert.match(timedOut.message, /ran longer than 1.5 s/);
    await assertNoneLeft(tag);
  });
}
