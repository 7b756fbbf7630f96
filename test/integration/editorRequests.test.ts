/**
 * The server's side of the editor commands, over stdio with real coqidetop workers: per-check
 * `window/workDoneProgress` (cancellable), Check Document, Cancel Checking, Kill All Workers,
 * Restart Workers, `checkOn`, and extra Coq arguments reaching coqidetop.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import {
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageserver';
import {
  CancelCheckingRequest,
  CheckDocumentRequest,
  CheckFinishedParams,
  KillAllWorkersRequest,
  ListWorkersRequest,
  ProofPoolInitOptions,
  ProofStatusNotification,
  ProofStatusParams,
  RestartWorkersRequest,
} from '../../protocol/lsp';
import { ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from '../support/cli';
import { assertNoneLeft, commandLine, markedEnv, processesWithTag, waitFor } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-requests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One proof that checks at once and one that would run for days: a check that is still running when we act. */
const SLOW = `Lemma quick : True.
Proof. exact I. Qed.
Lemma forever : True.
Proof. do 1000000 do 1000000 idtac. exact I. Qed.
`;
const QUICK = 'Lemma one : 1 = 1.\nProof. reflexivity. Qed.\n';

type Progress = { token: string; values: (WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd)[] };

/** A server whose client announces workDoneProgress, recording progress, statuses and verdicts. */
async function startServer(options: ProofPoolInitOptions) {
  const { tag, env } = markedEnv();
  const session = await ServerSession.start({ workers: 2, ...options }, {
    env,
    serverPath: join(DIST, 'server.js'),
    capabilities: { window: { workDoneProgress: true } },
  });
  const progress: Progress[] = [];
  const statuses: ProofStatusParams[] = [];
  const finished: CheckFinishedParams[] = [];
  session.connection.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    const entry: Progress = { token: String(token), values: [] };
    progress.push(entry);
    session.connection.onProgress(WorkDoneProgress.type, token, (value) => entry.values.push(value));
  });
  session.connection.onNotification(ProofStatusNotification.type, (p) => statuses.push(p));
  session.onCheckFinished((p) => finished.push(p));
  const request = session.connection.sendRequest.bind(session.connection);
  const listWorkers = async () => (await session.connection.sendRequest(ListWorkersRequest.type)).workers;
  const open = (uri: string, text: string, version = 1) =>
    session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'coq', version, text } });
  const statusOf = (uri: string, name: string) => statuses.filter((s) => s.uri === uri).at(-1)?.proofs.find((p) => p.name === name)?.status;
  return { session, tag, progress, statuses, finished, request, listWorkers, open, statusOf };
}

function document(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

const ended = (p: Progress) => p.values.some((v) => v.kind === 'end');
function existsPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a check has a cancellable progress; cancelling it leaves the running proof unchecked and frees the workers', async () => {
  // One worker: `forever` is dispatched after `quick` is done, so the status that says it runs also says quick is checked.
  const server = await startServer({ workers: 1 });
  try {
    const uri = document('Slow.v', SLOW);
    await server.open(uri, SLOW);
    const progress = await waitFor(() => server.progress.find((p) => p.values.some((v) => v.kind === 'begin')), 'a progress to begin', 30_000);
    const begin = progress.values[0] as WorkDoneProgressBegin;
    assert.equal(begin.kind, 'begin');
    assert.equal(begin.title, 'Checking Slow.v');
    assert.equal(begin.cancellable, true);
    await waitFor(() => server.statusOf(uri, 'forever') === 'running' && server.statusOf(uri, 'quick') === 'checked', 'quick checked and forever running', 60_000);
    await waitFor(() => progress.values.some((v) => v.kind === 'report' && v.message === '1/2 proofs' && v.percentage === 50), 'the progress to report 1/2 proofs');

    await server.session.connection.sendNotification(WorkDoneProgressCancelNotification.type, { token: progress.token });
    const last = await waitFor(() => server.statuses.find((s) => s.cancelled), 'a last status marked cancelled');
    assert.deepEqual(last.proofs.map((p) => [p.name, p.status]), [['quick', 'checked'], ['forever', 'unchecked']]);
    await waitFor(() => ended(progress), 'the progress to end');
    await waitFor(async () => (await server.listWorkers()).every((w) => w.state === 'idle'), 'the worker idle again', 15_000);
    assert.deepEqual(server.finished, [], 'a cancelled check does not report checkFinished');
    assert.deepEqual(await server.request(CancelCheckingRequest.type, { uri }), { cancelled: false }, 'nothing left to cancel');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('opening a document checks it once, at once', async () => {
  const server = await startServer({});
  try {
    const uri = document('Opened.v', QUICK);
    await server.open(uri, QUICK);
    await waitFor(() => server.finished.find((f) => f.version === 1), 'the check to finish', 60_000);
    // The open is also a content change: answered by a second check, it cancelled the first one.
    assert.equal(server.progress.length, 1, 'one check');
    assert.ok(!server.statuses.some((s) => s.cancelled), 'none cancelled');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('Check Document starts a check, Cancel Checking stops it; unknown documents are refused', async () => {
  const server = await startServer({});
  try {
    const uri = document('Again.v', SLOW);
    await server.open(uri, SLOW);
    await waitFor(() => server.statusOf(uri, 'forever') === 'running', 'forever running', 60_000);
    assert.deepEqual(await server.request(CancelCheckingRequest.type, { uri }), { cancelled: true });
    assert.equal(server.statusOf(uri, 'forever'), 'unchecked');
    const before = server.progress.length;
    assert.deepEqual(await server.request(CheckDocumentRequest.type, { uri }), { started: true });
    await waitFor(() => server.progress.length > before && server.statusOf(uri, 'forever') === 'running', 'a new check with forever running', 60_000);
    assert.deepEqual(await server.request(CancelCheckingRequest.type, { uri }), { cancelled: true });
    await waitFor(() => server.progress.every(ended), 'every progress to end');
    const unknown = pathToFileURL(join(dir, 'NotOpen.v')).href;
    assert.deepEqual(await server.request(CheckDocumentRequest.type, { uri: unknown }), { started: false });
    assert.deepEqual(await server.request(CancelCheckingRequest.type, { uri: unknown }), { cancelled: false });
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('Kill All Workers replaces every worker; Restart Workers ends the pool, starts a new one and checks again', async () => {
  const server = await startServer({});
  try {
    const uri = document('Pool.v', SLOW);
    await server.open(uri, SLOW);
    await waitFor(() => server.statusOf(uri, 'forever') === 'running', 'forever running', 60_000);
    const first = await server.listWorkers();
    assert.deepEqual(await server.request(KillAllWorkersRequest.type), { killed: 2 });
    for (const w of first) await waitFor(() => !existsPid(w.pid), `worker pid ${w.pid} to be gone`);
    const second = await waitFor(async () => {
      const now = await server.listWorkers();
      return now.length === 2 && now.every((w) => w.pid > 0 && !first.some((f) => f.pid === w.pid)) && now;
    }, 'two new workers', 30_000);
    // The killed proof is run again on a fresh worker.
    await waitFor(async () => (await server.listWorkers()).some((w) => w.task?.includes('forever')), 'forever running again', 60_000);

    const statusesBefore = server.statuses.length;
    assert.deepEqual(await server.request(RestartWorkersRequest.type), { workers: 2 });
    for (const w of second) assert.ok(!existsPid(w.pid), `the old pool's worker ${w.pid} is gone once restartWorkers answers`);
    const coqidetops = processesWithTag(server.tag).filter((pid) => /coqidetop/.test(commandLine(pid)));
    assert.ok(coqidetops.length <= 2, `at most the new pool's coqidetops: ${coqidetops.map(commandLine).join(', ')}`);
    await waitFor(() => server.statuses.slice(statusesBefore).some((s) => s.proofs.find((p) => p.name === 'forever')?.status === 'running'),
      'the document checked again on the new pool', 60_000);
    assert.ok(!server.statuses.slice(statusesBefore).some((s) => s.proofs.some((p) => p.status === 'failed')), 'no proof failed because its pool went away');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('checkOn manual and save; extra Coq arguments reach coqidetop', async () => {
  const server = await startServer({ checkOn: 'manual', coqArgs: ['-w', '-notation-overridden'] });
  try {
    const uri = document('Manual.v', QUICK);
    await server.open(uri, QUICK);
    // Requests are answered in order: had the open started a check, its progress would be asked for first.
    await server.listWorkers();
    assert.equal(server.progress.length, 0, 'opening a document does not check it when checkOn is manual');
    assert.deepEqual(await server.request(CheckDocumentRequest.type, { uri }), { started: true });
    await waitFor(() => server.finished.find((f) => f.version === 1), 'the requested check to finish', 60_000);
    const coqidetop = processesWithTag(server.tag).map(commandLine).find((c) => /coqidetop/.test(c));
    assert.ok(coqidetop?.includes('-w -notation-overridden'), `coqidetop runs with the extra arguments: ${coqidetop}`);

    await server.session.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { proofpool: { checkOn: 'save' } } });
    await server.session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: QUICK + QUICK.replace('one', 'two') }],
    });
    await server.listWorkers();
    assert.equal(server.progress.length, 1, 'an edit does not start a check when checkOn is save');
    await server.session.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const saved = await waitFor(() => server.finished.find((f) => f.version === 2), 'the saved version to be checked', 60_000);
    assert.deepEqual(saved.proofs, { total: 2, checked: 2, failed: 0, timedOut: 0, unchecked: 0 });
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});
