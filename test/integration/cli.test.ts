/** `proofpool check` as a user runs it: the examples, JSON output, and clear set-up and usage errors. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { firstErrorLine, runCli } from '../support/cli';
import { assertNoneLeft } from '../support/processes';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

test('the broken example: the failing tactic is reported like gcc and the exit status is 1', async () => {
  const run = await runCli(['check', '--jobs', '2', 'broken.v'], EXAMPLES);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(firstErrorLine(run.stdout), 11);
  assert.match(run.stdout, /^broken\.v:11:15: error: In environment$/m);
  assert.match(run.stdout, /^3 proofs: 2 checked, 1 failed in [\d.]+ s on 2 workers$/m);
  await assertNoneLeft(run.tag);
});

test('the good example and the _CoqProject example check without error', async () => {
  const run = await runCli(['check', '--jobs', '2', 'good.v', 'project/theories/Stacks.v'], EXAMPLES);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^5 proofs: 5 checked, 0 failed in [\d.]+ s on 2 workers$/m);
  await assertNoneLeft(run.tag);
});

test('--json prints one object with problems and counts', async () => {
  const run = await runCli(['check', '--json', '--jobs', '1', 'broken.v'], EXAMPLES);
  assert.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  assert.equal(report.workers, 1);
  assert.deepEqual(report.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
  assert.equal(report.files[0].file, 'broken.v');
  assert.deepEqual(
    report.files[0].problems.map((p: { line: number; column: number; severity: string }) => [p.line, p.column, p.severity]),
    [[11, 15, 'error']],
  );
  await assertNoneLeft(run.tag);
});

test('without Coq the CLI says what to do and exits 2', async () => {
  const run = await runCli(['check', '--coqidetop', '/nonexistent/coqidetop.opt', 'good.v'], EXAMPLES);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /cannot check: .*\/nonexistent\/coqidetop\.opt not found/);
  assert.match(run.stderr, /apt-get install coq/);
  await assertNoneLeft(run.tag);
});

test('usage errors and missing files exit 2 with a message', async () => {
  const usage = await runCli(['check', '--jobs', '0', 'good.v'], EXAMPLES);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--jobs wants a whole number of at least 1/);
  const missing = await runCli(['check', 'nope.v'], EXAMPLES);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.v: no such file/);
});
