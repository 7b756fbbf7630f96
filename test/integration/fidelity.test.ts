/**
 * Fidelity of the skeleton: after a check, the skeleton the last task replayed (delegated proofs
 * replaced by stand-ins, `Proof using` learnt from the workers) must give every constant the same
 * type as the document itself. Both are compiled with coqc and compared by `Print Module`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { checkInProcess } from '../support/checkInProcess';
import { BENCHMARK_FILES } from '../support/corpus';
import { printModules } from '../support/modules';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-fidelity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function compile(folder: string, file: string): void {
  const result = spawnSync('coqc', ['-Q', folder, 'Test', join(folder, file)], { encoding: 'utf8' });
  assert.equal(result.status, 0, `coqc ${file} in ${folder}: ${result.stderr}`);
}

for (const source of BENCHMARK_FILES) {
  const file = basename(source);
  test(`the skeleton of ${file} gives every constant the type coqc gives it`, async () => {
    const original = join(dir, file.replace('.v', ''), 'original');
    const skeleton = join(dir, file.replace('.v', ''), 'skeleton');
    mkdirSync(original, { recursive: true });
    mkdirSync(skeleton, { recursive: true });
    copyFileSync(source, join(original, file));

    const { check, proofs } = await checkInProcess(join(original, file), 2);
    assert.equal(proofs.failed + proofs.unchecked, 0, `${file} should check: ${JSON.stringify(proofs)}`);
    writeFileSync(join(skeleton, file), `${check.skeletonText()}\n`);

    compile(original, file);
    compile(skeleton, file);
    const module = `Test.${file.replace('.v', '')}`;
    const expected = printModules(['-Q', original, 'Test'], module);
    const actual = printModules(['-Q', skeleton, 'Test'], module);
    assert.ok(expected.split('\n').length > 20, 'the library prints its constants');
    assert.equal(actual, expected);
  });
}
