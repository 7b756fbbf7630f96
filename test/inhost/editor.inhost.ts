/**
 * broken.v as a person meets it, through the `vscode` API: its error where coqc puts it, the status
 * bar, the gutter icons and the Workers view; Kill Worker leaves the verdicts as they were; a worker
 * that crashes turns the status bar to warning colour; typing the fix clears the error.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from './runner';
import { alive } from '../support/processes';
import { errors, gutter, liveWorkers, open, proofpool, statusText, waitFor, workspaceUri } from './helpers';

const WORKERS = 2;
const broken = () => workspaceUri('broken.v');

/** Diagnostics as comparable text: "line:col-line:col message". */
const shown = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);

suite('broken.v', () => {
  test('the error is on line 11 at the failing tactic, in the Problems data and as a red gutter icon', async () => {
    const api = await proofpool();
    const editor = await open('broken.v');
    const [error] = await waitFor(() => errors(broken()).length > 0 && errors(broken()), 'an error diagnostic in broken.v', 90_000);
    assert.equal(error.range.start.line + 1, 11, 'coqc reports line 11');
    assert.equal(editor.document.getText(error.range), 'reflexivity');
    assert.match(error.message, /Unable to unify "m \+ n" with "n \+ m"/);
    await waitFor(() => gutter(api, broken()).join() === '4:checked,9:failed,14:checked', 'gutter icons: checked, failed, checked', 30_000);
  }, 120_000);

  test('the status bar shows the workers and the document\'s progress; the Workers view lists the workers', async () => {
    const api = await proofpool();
    await open('broken.v');
    await waitFor(() => statusText(api) === `ProofPool 0/${WORKERS} busy · 3/3`, `the status bar to read "ProofPool 0/${WORKERS} busy · 3/3" (it reads "${statusText(api)}")`, 30_000);
    assert.match(api.statusBar().text, /^\$\(error\)/, 'a failed proof shows the error icon');
    const workers = await liveWorkers(api, WORKERS);
    for (const w of workers) assert.match(api.statusBar().tooltip, new RegExp(`worker ${w.id} · pid ${w.pid} · idle · \\d+ MB · \\d+ tasks done`));
    const rows = api.workersView();
    assert.deepEqual(rows.map((r) => r.label), workers.map((w) => `worker ${w.id}`));
    rows.forEach((r, i) => assert.match(r.description, new RegExp(`^pid ${workers[i].pid} · idle$`)));
  });

  test('Kill Worker: the pid disappears, a new worker appears, a new check gives the same verdicts', async () => {
    const api = await proofpool();
    await open('broken.v');
    const before = shown(broken());
    const [victim] = await liveWorkers(api, WORKERS);
    await vscode.commands.executeCommand('proofpool.killWorker', victim.id);
    await waitFor(() => !alive(victim.pid), `worker pid ${victim.pid} to exit`, 15_000);
    await liveWorkers(api, WORKERS, [victim.pid]);
    assert.ok(!api.statusBar().warning, 'a worker killed on request is no crash');
    const verdict = api.verdict(broken().toString());
    await vscode.commands.executeCommand('proofpool.checkDocument');
    await waitFor(() => api.verdict(broken().toString()) !== verdict, 'the new check to finish', 60_000);
    assert.deepEqual(shown(broken()), before);
    assert.deepEqual(api.verdict(broken().toString())?.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
  }, 120_000);

  test('a worker that dies by itself turns the status bar to warning colour', async () => {
    const api = await proofpool();
    await open('broken.v');
    const [victim] = await liveWorkers(api, WORKERS);
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(() => api.statusBar().warning, 'the status bar in warning colour', 15_000);
    assert.match(api.statusBar().tooltip, /A worker crashed at/);
    await liveWorkers(api, WORKERS, [victim.pid]);
  });

  test('typing the fix clears the error; every icon turns to checked', async () => {
    const api = await proofpool();
    const editor = await open('broken.v');
    const at = editor.document.getText().indexOf('intros n m. reflexivity.') + 'intros n m. '.length;
    const range = new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 'reflexivity.'.length));
    assert.ok(await editor.edit((edit) => edit.replace(range, 'apply Nat.add_comm.')));
    await waitFor(() => errors(broken()).length === 0, 'the error to disappear', 60_000);
    await waitFor(() => gutter(api, broken()).join() === '4:checked,9:checked,14:checked', 'every gutter icon checked', 30_000);
    await waitFor(() => statusText(api) === `ProofPool 0/${WORKERS} busy · 3/3` && api.statusBar().text.startsWith('$(check)'), 'the status bar: all checked', 30_000);
    assert.ok(!api.statusBar().warning, 'the check that went through clears the crash warning');
  }, 120_000);
});
