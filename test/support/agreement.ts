/** The ground truth of a small document: coqc's verdict, against `proofpool check`'s. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstErrorLine, runCli } from './cli';
import { cleanCoqOutputs, coqc } from './coq';
import { assertNoneLeft } from './processes';

/**
 * Writes `text` as `file` in `dir` and checks it with coqc and with `proofpool check --jobs N`:
 * the same exit code and first error line, every one of `proofs` checked when coqc accepts it,
 * and no process left behind.
 */
export async function assertAgreesWithCoqc(dir: string, file: string, text: string, jobs: string, proofs: number): Promise<void> {
  writeFileSync(join(dir, file), text);
  const truth = coqc(dir, file);
  const run = await runCli(['check', '--jobs', jobs, file], dir);
  cleanCoqOutputs(dir);
  assert.equal(run.code, truth.ok ? 0 : 1, `coqc said:\n${truth.output}\nproofpool said:\n${run.stdout}${run.stderr}`);
  assert.equal(firstErrorLine(run.stdout), truth.firstErrorLine, `coqc said:\n${truth.output}\nproofpool said:\n${run.stdout}`);
  if (truth.ok) assert.match(run.stdout, new RegExp(`^${proofs} proofs: ${proofs} checked, 0 failed`, 'm'));
  await assertNoneLeft(run.tag);
}
