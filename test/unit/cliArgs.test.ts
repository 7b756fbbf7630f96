import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../server/src/cli/args';
import { formatText } from '../../server/src/cli/report';

test('check takes files, --jobs, --json', () => {
  assert.deepEqual(parseArgs(['check', '--jobs', '3', '--json', 'a.v', 'b.v']), { files: ['a.v', 'b.v'], jobs: 3, json: true, verbose: false });
});

test('usage errors say what is wrong', () => {
  assert.throws(() => parseArgs([]), (e: Error) => e instanceof UsageError && /missing command/.test(e.message));
  assert.throws(() => parseArgs(['check']), /no file to check/);
  assert.throws(() => parseArgs(['check', '--jobs', 'two', 'a.v']), /--jobs wants a whole number/);
  assert.throws(() => parseArgs(['check', '--frobnicate', 'a.v']), /unknown option '--frobnicate'/);
  assert.throws(() => parseArgs(['check', 'a.v', '--jobs']), /--jobs needs a value/);
});

test('problems print like gcc (1-based), continuation lines indented, then the summary', () => {
  const text = formatText({
    seconds: 1.25,
    results: [
      {
        file: 'x.v',
        diagnostics: [{ range: { start: { line: 4, character: 2 }, end: { line: 4, character: 9 } }, severity: 1, message: 'In environment\nn : nat' }],
        finished: { uri: 'file:///x.v', version: 1, proofs: { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 }, durationMs: 1200, workers: 2 },
      },
    ],
  });
  assert.equal(text, 'x.v:5:3: error: In environment\n  n : nat\n3 proofs: 2 checked, 1 failed in 1.3 s on 2 workers');
});
