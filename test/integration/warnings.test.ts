/**
 * Warnings Coq gives while a sentence is added, before its state is named (a Require loading a
 * library that redefines notations): shown as coqc shows them, with one worker and with two.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/cli';
import { coqc } from '../support/coq';
import { assertNoneLeft } from '../support/processes';

const TEXT = 'From mathcomp Require Import ssrnat.\nLemma a : 1 + 1 = 2.\nProof. reflexivity. Qed.\n';
const dir = mkdtempSync(join(tmpdir(), 'proofpool-warnings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const jobs of ['1', '2']) {
  test(`a Require's warnings (mathcomp's ssrnat over Coq's nat notations), --jobs ${jobs}: the ones coqc prints, on its line`, async () => {
    writeFileSync(join(dir, 'loads.v'), TEXT);
    const truth = coqc(dir, 'loads.v');
    assert.ok(truth.ok, truth.output);
    const expected = [...truth.output.matchAll(/line (\d+), characters [^\n]*\nWarning: ([^\n]*)/g)].map((m) => `${m[1]}: ${m[2]}`);
    assert.ok(expected.length > 0, `coqc printed no warning:\n${truth.output}`);
    const run = await runCli(['check', '--jobs', jobs, 'loads.v'], dir);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const shown = [...run.stdout.matchAll(/^loads\.v:(\d+):\d+: warning: ([^\n]*)/gm)].map((m) => `${m[1]}: ${m[2]}`);
    assert.deepEqual(shown.sort(), expected.sort());
    await assertNoneLeft(run.tag);
  });
}
