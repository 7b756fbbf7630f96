/**
 * The commands on a document with a proof that never ends (slow.v): Cancel Checking, Check Document,
 * Kill All Workers, Restart Workers, Restart Server, Show Output, through `vscode.commands`.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from './runner';
import { alive } from '../support/processes';
import { gutter, liveWorkers, open, ourProcesses, proofpool, statusText, waitFor, workspaceUri } from './helpers';

const WORKERS = 2;
const slow = () => workspaceUri('slow.v');
/** slow.v's second proof (line 4) runs for days: checks of slow.v are still running when we act. */
const foreverIs = (status: string) => async () => gutter(await proofpool(), slow()).includes(`4:${status}`);

async function cancelSlow(): Promise<void> {
  await vscode.commands.executeCommand('proofpool.cancelChecking');
  await waitFor(foreverIs('unchecked'), 'forever unchecked after Cancel Checking', 15_000);
}

suite('slow.v', () => {
  test('Cancel Checking stops the running proof; Check Document checks the document again', async () => {
    const api = await proofpool();
    await open('slow.v');
    await waitFor(foreverIs('running'), 'the gutter to show forever running', 90_000);
    await waitFor(() => /^\$\(sync~spin\) ProofPool [12]\/2 busy · [01]\/2$/.test(api.statusBar().text), `a spinning status bar with the progress (it reads "${api.statusBar().text}")`, 15_000);
    await waitFor(() => api.workersView().some((r) => /busy for \d+ s$/.test(r.description) && r.children.join() === 'slow.v: forever (line 4)'),
      'the Workers view: a busy worker with its task beneath it', 15_000);
    await cancelSlow();
    assert.match(statusText(api), /· cancelled$/);
    await waitFor(() => api.workers().every((w) => w.state === 'idle'), 'every worker idle after the cancel', 15_000);
    await waitFor(() => api.statusBar().text.startsWith('$(circle-slash)'), 'the cancelled icon once no worker is busy', 5_000);
    await vscode.commands.executeCommand('proofpool.checkDocument');
    await waitFor(foreverIs('running'), 'forever running again after Check Document', 60_000);
    assert.doesNotMatch(statusText(api), /cancelled/);
    await cancelSlow();
  }, 180_000);

  test('Kill All Workers and Restart Workers replace every worker, without a crash warning and without leftovers', async () => {
    const api = await proofpool();
    await open('slow.v');
    await vscode.commands.executeCommand('proofpool.checkDocument');
    await waitFor(foreverIs('running'), 'forever running', 60_000);
    const first = await liveWorkers(api, WORKERS);
    await vscode.commands.executeCommand('proofpool.killAllWorkers');
    for (const w of first) await waitFor(() => !alive(w.pid), `worker pid ${w.pid} to exit`, 15_000);
    const second = await liveWorkers(api, WORKERS, first.map((w) => w.pid));
    await vscode.commands.executeCommand('proofpool.restartWorkers');
    for (const w of second) assert.ok(!alive(w.pid), `worker pid ${w.pid} ended with its pool`);
    await liveWorkers(api, WORKERS, [...first, ...second].map((w) => w.pid));
    await waitFor(foreverIs('running'), 'slow.v checked again on the new pool', 60_000);
    await waitFor(() => ourProcesses('worker').length === WORKERS, `exactly ${WORKERS} worker processes`, 15_000);
    assert.ok(!api.statusBar().warning, 'workers ended on request are no crash');
    await cancelSlow();
  }, 180_000);

  test('Restart Server: a new server process; the old one and its workers are gone; the document is checked again', async () => {
    const api = await proofpool();
    await open('slow.v');
    const [server] = await waitFor(() => ourProcesses('server').length === 1 && ourProcesses('server'), 'one server process');
    const workers = await liveWorkers(api, WORKERS);
    await vscode.commands.executeCommand('proofpool.restartServer');
    assert.equal(api.serverState().kind, 'running');
    await waitFor(() => !alive(server), `the old server (pid ${server}) to exit`, 10_000);
    await waitFor(() => workers.every((w) => !alive(w.pid)), 'the old server\'s workers to be gone', 10_000);
    const [now] = await waitFor(() => ourProcesses('server').length === 1 && ourProcesses('server'), 'one server process again');
    assert.notEqual(now, server);
    await liveWorkers(api, WORKERS, workers.map((w) => w.pid));
    await waitFor(foreverIs('running'), 'slow.v checked again by the new server', 60_000);
    await cancelSlow();
  }, 120_000);

  test('Show Output runs', async () => {
    await vscode.commands.executeCommand('proofpool.showOutput');
  });
});

const settings = () => vscode.workspace.getConfiguration('proofpool');

suite('settings', () => {
  test('proofpool.proofTimeLimit: a proof past it is stopped, reported, and shown timed out in the gutter', async () => {
    const api = await proofpool();
    await settings().update('proofTimeLimit', 2, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('proofpool.restartServer');
      await open('slow.v');
      await waitFor(foreverIs('timedOut'), 'forever timed out in the gutter', 60_000);
      // The gutter and the diagnostics are two notifications: the second may land a moment later.
      const timedOutDiagnostic = () => vscode.languages.getDiagnostics(slow()).find((d) => /Timed out/.test(d.message));
      await waitFor(() => timedOutDiagnostic() !== undefined, 'the timed-out diagnostic', 10_000);
      assert.equal(timedOutDiagnostic()!.range.start.line, 3, 'the diagnostic is on forever\'s statement (line 4)');
      await waitFor(() => api.statusBar().text.startsWith('$(error)'), 'the error icon in the status bar', 10_000);
    } finally {
      await settings().update('proofTimeLimit', 0, vscode.ConfigurationTarget.Global);
    }
  }, 120_000);

  test('proofpool.workers applies when the server restarts', async () => {
    const api = await proofpool();
    await settings().update('workers', 1, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('proofpool.restartServer');
      await liveWorkers(api, 1);
    } finally {
      await settings().update('workers', WORKERS, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('proofpool.restartServer');
    await liveWorkers(api, WORKERS);
  }, 120_000);
});
