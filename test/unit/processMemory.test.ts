/** A worker's memory: its process group read through its descendants equals a scan of every process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { groupResidentBytes, scanGroups } from '../../server/src/pool/processMemory';
import { assertNoneLeft, markedEnv, processesWithTag, waitFor } from '../support/processes';

test('a process group (a leader holding 64 MiB and its child) is measured through its descendants as a scan measures it', async () => {
  const { tag, env } = markedEnv();
  // The leader fills 64 MiB and starts a child, as a worker starts coqidetop; both then sleep.
  const script = `const b = Buffer.alloc(64 << 20, 1); require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); setInterval(() => b.length, 1000);`;
  const leader = spawn(process.execPath, ['-e', script], { env, detached: true, stdio: 'ignore' });
  try {
    await waitFor(() => processesWithTag(tag).length === 2, 'the leader and its child running', 10_000);
    await waitFor(() => (groupResidentBytes([leader.pid!]).get(leader.pid!) ?? 0) > 64 << 20, 'the leader holding its 64 MiB', 10_000);
    // Both read the same pages a moment apart: equal up to what a sleeping Node process touches,
    // once the child has finished starting (until then its memory grows between the two readings).
    let last = '';
    const agree = () => {
      const direct = groupResidentBytes([leader.pid!]).get(leader.pid!)!;
      const scanned = scanGroups([leader.pid!]).get(leader.pid!)!;
      last = `descendants ${direct} B vs scan ${scanned} B`;
      return Math.abs(direct - scanned) < 8 << 20;
    };
    await waitFor(agree, 'the two readings agreeing', 10_000).catch((error: Error) => assert.fail(`${error.message} (last: ${last})`));
    assert.equal(groupResidentBytes([999_999_999]).get(999_999_999), 0, 'a group that does not exist holds nothing');
  } finally {
    process.kill(-leader.pid!, 'SIGKILL');
    await assertNoneLeft(tag);
  }
});
