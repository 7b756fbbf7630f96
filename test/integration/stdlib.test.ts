/**
 * Agreement with coqc on real documents never written by us: standard library files check
 * without error, and broken variants fail at the same first line as coqc.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { firstErrorLine, runCli } from '../support/cli';
import { breakages, cleanCoqOutputs, coqc, copyStdlib } from '../support/coq';
import { assertNoneLeft } from '../support/processes';

const FILES = ['Lists/List.v', 'Arith/PeanoNat.v', 'Sorting/Permutation.v', 'Sorting/Mergesort.v', 'NArith/BinNat.v', 'Reals/Ranalysis3.v'];
const dir = copyStdlib(FILES);
after(() => rmSync(dir, { recursive: true, force: true }));

for (const path of FILES) {
  const file = path.slice(path.lastIndexOf('/') + 1);
  test(`${file} from the standard library checks without error, as with coqc`, async () => {
    const run = await runCli(['check', '--jobs', '2', file], dir);
    cleanCoqOutputs(dir);
    assert.equal(run.code, 0, `proofpool check failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^(\d+) proofs: \1 checked, 0 failed in [\d.]+ s on 2 workers$/m);
    await assertNoneLeft(run.tag);
  });
}

/** Lemmas to break: one delegated to its own worker (PeanoNat, in a module), one inside a Section (Permutation). */
const TARGETS = [
  { file: 'PeanoNat.v', lemma: 'compare_antisym' },
  { file: 'Permutation.v', lemma: 'Permutation_app_tail' },
];

for (const { file, lemma } of TARGETS) {
  for (const [kind, breakIt] of Object.entries(breakages)) {
    test(`${file} with ${kind} at ${lemma}: exit 1 and the first error on coqc's line`, async () => {
      const broken = `broken_${kind}_${file}`;
      writeFileSync(join(dir, broken), breakIt(readFileSync(join(dir, file), 'utf8'), lemma));
      const truth = coqc(dir, broken);
      assert.equal(truth.ok, false, `the variant should not compile:\n${truth.output}`);
      const run = await runCli(['check', '--jobs', '2', broken], dir);
      cleanCoqOutputs(dir);
      assert.equal(run.code, 1, `expected exit 1:\n${run.stdout}\n${run.stderr}`);
      assert.equal(firstErrorLine(run.stdout), truth.firstErrorLine, `coqc said:\n${truth.output}\nproofpool said:\n${run.stdout}`);
      await assertNoneLeft(run.tag);
    });
  }
}
