/**
 * `proofpool check` ended abruptly mid-check (SIGKILL: no handler of its own runs) and by Ctrl+C:
 * its server, the workers and their coqidetop processes go too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { DIST } from '../support/cli';
import { assertNoneLeft, commandLine, markedEnv, processesWithTag, waitFor } from '../support/processes';

const DOCUMENTS = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'documents');

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  test(`proofpool check killed with ${signal} while a proof runs: no server, worker or coqidetop is left`, async () => {
    const { tag, env } = markedEnv();
    const cli = spawn(process.execPath, [join(DIST, 'cli.js'), 'check', '--jobs', '2', 'slow.v'], { cwd: DOCUMENTS, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    // Busy with the proof that never ends: the CLI, its server, two workers, and coqidetop running.
    // Waited for as one condition: the second worker can still be starting when the first
    // coqidetop appears (seen on a loaded CI machine).
    const busy = (): boolean => {
      const pids = processesWithTag(tag);
      return pids.length >= 5 && pids.some((pid) => commandLine(pid).includes('coqidetop'));
    };
    await waitFor(busy, 'the CLI, server, two workers and a coqidetop running', 30_000);
    cli.kill(signal);
    const code = await exited;
    if (signal === 'SIGINT') assert.equal(code, 130, 'Ctrl+C exits with 130');
    await assertNoneLeft(tag, 5000);
  });
}
