// End to end, the commands as a person runs them from F1, on a document whose second proof never
// ends (slow.v), in a real VS Code (code-server) with the packaged .vsix and two workers:
//
//   open slow.v → the gutter shows `forever` running, the status bar spins with its progress, the
//   Workers view shows a busy worker with its task
//   → "ProofPool: Cancel Checking" → `forever` unchecked, "· cancelled", workers idle
//   → "ProofPool: Check Document" → `forever` running again
//   → "ProofPool: Kill All Workers" → both pids gone, two new workers
//   → "ProofPool: Restart Workers" → a new pool, the document checked again
//   → "ProofPool: Restart Server" → a new server process, the old one and its workers gone
//   → "ProofPool: Show Output" → the ProofPool output is shown
//   → after VS Code stops, no process started by the test is left.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startVSCode, type VSCode } from '../support/codeServer';
import { prepareE2EWorkspace } from '../support/e2eWorkspace';
import { alive, assertNoneLeft, MARKER_NAME } from '../support/processes';
import { gutterIcons, ours, proofpoolStatus, statusSpinning, workersViewRows } from '../support/workbench';

const WORKERS = 2;

test('slow.v: Cancel Checking, Check Document, Kill All Workers, Restart Workers, Restart Server, Show Output from F1', { timeout: 300_000 }, async () => {
  const root = repoRoot();
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const { scratch, workspace, vsix } = prepareE2EWorkspace(root, 'commands', ['test/fixtures/documents/slow.v']);

  const tag = randomUUID();
  let vs: VSCode | undefined;
  let passed = false;
  try {
    vs = await startVSCode({
      workspace, vsix,
      // No time limit: slow.v's endless proof must still run whenever the scenario looks.
      settings: { 'proofpool.workers': WORKERS, 'proofpool.proofTimeLimit': 0 },
      env: { [MARKER_NAME]: tag },
      screenshotDir: join(root, 'docs', 'screenshots'),
    });
    const v = vs;
    const forever = (status: string) => async () => (await gutterIcons(v)).includes(`4:${status}`);
    const workerPids = async (not: number[]) => v.waitFor(() => {
      const pids = ours(tag, 'worker');
      return pids.length === WORKERS && pids.every((p) => !not.includes(p)) ? pids : undefined;
    }, `${WORKERS} worker processes, none of ${not.join(', ') || '(none)'}`, 60_000);

    // 1. A check in progress: `forever` runs, the status bar spins and shows the progress.
    await v.openFile('slow.v');
    await v.waitFor(forever('running'), 'the gutter to show forever (line 4) running', 90_000);
    const checking = await v.waitFor(async () => {
      const text = await proofpoolStatus(v);
      return text && /ProofPool [12]\/2 busy · [01]\/2$/.test(text) && (await statusSpinning(v)) ? text : undefined;
    }, 'a spinning status bar item with the progress', 15_000);
    const busyRows = await v.waitFor(async () => {
      const rows = await workersViewRows(v);
      return rows.some((r) => /pid \d+ · busy for \d+ s/.test(r)) && rows.some((r) => r.includes('slow.v: forever (line 4)')) ? rows : undefined;
    }, 'the Workers view to show a busy worker and, beneath it, its task "slow.v: forever (line 4)"', 15_000);
    console.log(`checking: ${elapsed()}: ${checking}; gutter ${(await gutterIcons(v)).join(' ')}; Workers view: ${busyRows.join(' | ')}`);
    await v.screenshot('checking.png');

    // 2. Cancel Checking: the running proof is left unchecked, the workers go idle.
    await v.runCommand('ProofPool: Cancel Checking');
    await v.waitFor(forever('unchecked'), 'forever unchecked after Cancel Checking', 15_000);
    const cancelled = await v.waitFor(async () => {
      const text = await proofpoolStatus(v);
      return text && /ProofPool 0\/2 busy · [01]\/2 · cancelled$/.test(text) && !(await statusSpinning(v)) ? text : undefined;
    }, 'the status bar: no worker busy, cancelled', 15_000);
    await v.waitFor(async () => (await workersViewRows(v)).every((r) => !r.includes('busy')), 'the Workers view: no worker busy', 15_000);
    console.log(`cancelled: ${elapsed()}: ${cancelled}`);
    await v.screenshot('cancelled.png');

    // 3. Check Document: checked again.
    await v.runCommand('ProofPool: Check Document');
    await v.waitFor(forever('running'), 'forever running again after Check Document', 60_000);
    console.log(`checked again: ${elapsed()}`);

    // 4. Kill All Workers: both pids gone, two new workers (which take the proofs up again).
    const first = await workerPids([]);
    await v.runCommand('ProofPool: Kill All Workers');
    for (const pid of first) await v.waitFor(() => !alive(pid), `worker pid ${pid} to exit`, 15_000);
    const second = await workerPids(first);
    console.log(`killed all: ${elapsed()}: ${first.join(', ')} → ${second.join(', ')}`);

    // 5. Restart Workers: a fresh pool; the document is checked on it.
    await v.runCommand('ProofPool: Restart Workers');
    for (const pid of second) await v.waitFor(() => !alive(pid), `worker pid ${pid} to end with its pool`, 15_000);
    const third = await workerPids([...first, ...second]);
    await v.waitFor(forever('running'), 'forever running on the new pool', 60_000);
    console.log(`restarted workers: ${elapsed()}: ${third.join(', ')}`);

    // 6. Restart Server: a new server process; the old one and its workers are gone.
    const [server] = ours(tag, 'server');
    assert.ok(server, 'a language server (dist/server.js) runs');
    await v.runCommand('ProofPool: Restart Server');
    await v.waitFor(() => !alive(server), `the old server (pid ${server}) to exit`, 20_000);
    for (const pid of third) await v.waitFor(() => !alive(pid), `its worker pid ${pid} to exit`, 15_000);
    const [newServer] = await v.waitFor(() => {
      const servers = ours(tag, 'server');
      return servers.length === 1 ? servers : undefined;
    }, 'one server process again', 30_000);
    assert.notEqual(newServer, server);
    await workerPids([...first, ...second, ...third]);
    await v.waitFor(forever('running'), 'forever running under the new server', 60_000);
    console.log(`restarted server: ${elapsed()}: pid ${server} → ${newServer}`);

    // 7. Show Output: the Output panel, on the ProofPool channel.
    await v.runCommand('ProofPool: Show Output');
    await v.waitFor(async () => (await v.page.locator('.part.panel select.monaco-select-box').evaluateAll(
      (els) => els.map((e) => (e as unknown as { value: string }).value))).includes('ProofPool'), 'the Output panel on the ProofPool channel', 15_000);

    await v.runCommand('ProofPool: Cancel Checking');
    await v.waitFor(forever('unchecked'), 'forever unchecked at the end', 15_000);
    console.log(`scenario done: ${elapsed()}`);
    passed = true;
  } finally {
    await vs?.stop({ failed: !passed });
    rmSync(scratch, { recursive: true, force: true });
  }
  await assertNoneLeft(tag);
  console.log(`total: ${elapsed()}`);
});
