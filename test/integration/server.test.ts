/**
 * The built server over stdio with real coqidetop workers, driven as an editor would: verdicts per
 * version, ProofPool's own messages, killing a worker, and no process left behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { DidChangeTextDocumentNotification, PublishDiagnosticsParams } from 'vscode-languageserver';
import {
  CheckFinishedParams,
  ProofStatusNotification,
  ProofStatusParams,
  KillWorkerRequest,
  ListWorkersRequest,
  WorkerInfo,
  WorkersNotification,
} from '../../protocol/lsp';
import { ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from '../support/cli';
import { assertNoneLeft, childrenOf, commandLine, markedEnv, processesWithTag, waitFor } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-server-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const BROKEN = `Require Import Arith.
Lemma add_zero : forall n, n + 0 = n.
Proof. intros n. rewrite Nat.add_0_r. reflexivity. Qed.
Lemma wrong : forall n m, n + m = m + n.
Proof. intros n m. reflexivity. Qed.
Lemma mul_one : forall n, n * 1 = n.
Proof. intros n. apply Nat.mul_1_r. Qed.
`;
const FIXED = BROKEN.replace('Proof. intros n m. reflexivity. Qed.', 'Proof. intros n m. apply Nat.add_comm. Qed.');

/** A server with its own marker, recording everything it says that the tests look at. */
async function startServer(workers: number, statusNotifications?: boolean) {
  const { tag, env } = markedEnv();
  const session = await ServerSession.start({ workers, statusNotifications }, { env, serverPath: join(DIST, 'server.js') });
  const finished: CheckFinishedParams[] = [];
  const published: PublishDiagnosticsParams[] = [];
  let workerUpdates: WorkerInfo[][] = [];
  const statuses: ProofStatusParams[] = [];
  session.connection.onNotification(ProofStatusNotification.type, (p) => statuses.push(p));
  session.onCheckFinished((p) => finished.push(p));
  session.onDiagnostics((p) => published.push(p));
  session.connection.onNotification(WorkersNotification.type, (p) => workerUpdates.push(p.workers));
  const listWorkers = async () => (await session.connection.sendRequest(ListWorkersRequest.type)).workers;
  const change = (uri: string, version: number, text: string) =>
    session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  return { session, tag, finished, published, statuses, listWorkers, change, workerUpdates: () => workerUpdates, resetWorkerUpdates: () => (workerUpdates = []) };
}

/** Opens the broken document plus a proof that runs for seconds; resolves once a worker is busy with that proof. */
async function checkSlowDocument(server: Awaited<ReturnType<typeof startServer>>, name: string) {
  const text = `${BROKEN}Lemma slow : True.\nProof. do 4000000 idtac. exact I. Qed.\n`;
  const verdict = server.session.check(document(name, text), text);
  const busy = await waitFor(async () => (await server.listWorkers()).find((w) => w.state === 'busy' && w.task?.includes('slow')), 'a worker busy with the slow proof', 60_000);
  return { verdict, busy };
}

function document(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

test('a broken document: its error, then checkFinished once; an edit that fixes it clears the error', async () => {
  const server = await startServer(2);
  try {
    const uri = document('Broken.v', BROKEN);
    const first = await server.session.check(uri, BROKEN);
    assert.deepEqual(first.finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
    assert.equal(first.finished.workers, 2);
    const errors = first.diagnostics.filter((d) => d.severity === 1);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].range.start.line, 4, 'the failing reflexivity is on line 5');
    assert.match(errors[0].message, /Unable to unify "m \+ n" with "n \+ m"/);
    assert.equal(BROKEN.split('\n')[4].slice(errors[0].range.start.character, errors[0].range.end.character), 'reflexivity');
    const final = server.statuses.filter((p) => p.version === 1).at(-1)!;
    assert.deepEqual(final.proofs.map((p) => [p.name, p.status, p.range.start.line]), [['add_zero', 'checked', 1], ['wrong', 'failed', 3], ['mul_one', 'checked', 5]]);

    const second = server.session.verdict(uri, 2);
    await server.change(uri, 2, FIXED);
    const fixed = await second;
    assert.deepEqual(fixed.finished.proofs, { total: 3, checked: 3, failed: 0, timedOut: 0, unchecked: 0 });
    assert.deepEqual(fixed.diagnostics, []);
    assert.deepEqual(server.finished.map((f) => f.version), [1, 2], 'checkFinished exactly once per version');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('a client that asks for no status notifications (the CLI) gets diagnostics and checkFinished only', async () => {
  const server = await startServer(2, false);
  try {
    const result = await server.session.check(document('Quiet.v', BROKEN), BROKEN);
    assert.deepEqual(result.finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
    assert.equal(result.diagnostics.filter((d) => d.severity === 1).length, 1);
    assert.deepEqual(server.statuses, [], 'no proofStatus notification');
    assert.deepEqual(server.workerUpdates(), [], 'no workers notification');
    assert.equal((await server.listWorkers()).length, 2, 'the worker list is still there on request');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('a burst of edits: only the last version is checked, nothing is published for the others', async () => {
  const server = await startServer(2);
  try {
    const uri = document('Burst.v', FIXED);
    await server.session.check(uri, FIXED);
    const last = server.session.verdict(uri, 5);
    for (const version of [2, 3, 4, 5]) await server.change(uri, version, version % 2 ? FIXED : BROKEN);
    const verdict = await last;
    assert.equal(verdict.finished.proofs.checked, 3);
    assert.deepEqual(server.finished.map((f) => f.version), [1, 5]);
    const stale = server.published.filter((p) => p.version !== undefined && p.version > 1 && p.version < 5);
    assert.deepEqual(stale, [], 'no diagnostics for versions that were superseded');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('an edit inside one proof re-checks that proof alone; untouched verdicts stay, their ranges shifted', async () => {
  const server = await startServer(2);
  try {
    const uri = document('Incremental.v', BROKEN);
    await server.session.check(uri, BROKEN);
    const tasksDone = async () => (await server.listWorkers()).reduce((sum, w) => sum + w.tasksDone, 0);
    const before = await tasksDone();
    // Another tactic in mul_one's proof (after the failing lemma): only mul_one runs again.
    const edited = BROKEN.replace('Proof. intros n. apply Nat.mul_1_r. Qed.', 'Proof. intros n. rewrite Nat.mul_1_r. reflexivity. Qed.');
    const verdict = server.session.verdict(uri, 2);
    await server.change(uri, 2, edited);
    const result = await verdict;
    assert.deepEqual(result.finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
    assert.equal((await tasksDone()) - before, 1, 'one task ran: the edited proof');
    const error = result.diagnostics.find((d) => d.severity === 1)!;
    assert.equal(error.range.start.line, 4, 'the untouched failure keeps its place');

    // A line inserted above everything shifts the untouched failure down, and it is a skeleton edit: all proofs run.
    const shifted = `(* a new first line *)\n${edited}`;
    const third = server.session.verdict(uri, 3);
    await server.change(uri, 3, shifted);
    const moved = (await third).diagnostics.find((d) => d.severity === 1)!;
    assert.equal(moved.range.start.line, 5);
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('killing a busy worker: a new worker replaces it and the verdicts do not change', async () => {
  const server = await startServer(2);
  try {
    const { verdict, busy } = await checkSlowDocument(server, 'Slow.v');
    const before = (await server.listWorkers()).map((w) => w.id);
    assert.deepEqual(await server.session.connection.sendRequest(KillWorkerRequest.type, { id: busy.id }), { killed: true });
    await waitFor(() => {
      try {
        process.kill(busy.pid, 0);
        return false;
      } catch {
        return true;
      }
    }, `worker pid ${busy.pid} to be gone`);
    const result = await verdict;
    assert.deepEqual(result.finished.proofs, { total: 4, checked: 3, failed: 1, timedOut: 0, unchecked: 0 });
    assert.equal(result.diagnostics.filter((d) => d.severity === 1).length, 1);
    const workers = await waitFor(async () => {
      const now = await server.listWorkers();
      return now.length === 2 && now.every((w) => w.pid > 0 && w.state !== 'starting') && now;
    }, 'two live workers again');
    assert.ok(!workers.some((w) => w.id === busy.id), 'the killed worker is gone from the list');
    assert.ok(workers.some((w) => !before.includes(w.id)), 'a new worker took its place');
    assert.ok(server.workerUpdates().some((update) => !update.some((w) => w.id === busy.id)), 'clients were told');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('killing the coqidetop of a busy worker: the worker goes with it, the proof is checked again elsewhere', async () => {
  const server = await startServer(2);
  try {
    const { verdict, busy } = await checkSlowDocument(server, 'SlowCoq.v');
    const coqidetop = await waitFor(() => childrenOf(busy.pid).find((pid) => commandLine(pid).includes('coqidetop')), 'its coqidetop');
    process.kill(coqidetop, 'SIGKILL');
    const result = await verdict;
    assert.deepEqual(result.finished.proofs, { total: 4, checked: 3, failed: 1, timedOut: 0, unchecked: 0 });
    await waitFor(async () => !(await server.listWorkers()).some((w) => w.pid === busy.pid), 'the worker to be replaced');
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('when the server is killed with SIGKILL, its workers and their coqidetop processes go too', async () => {
  const server = await startServer(2);
  const uri = document('Orphans.v', FIXED);
  await server.session.check(uri, FIXED);
  const workers = await server.listWorkers();
  assert.equal(workers.length, 2);
  assert.ok(processesWithTag(server.tag).length >= 5, 'server, two workers and their coqidetops are running');
  server.session.kill();
  await assertNoneLeft(server.tag, 2000);
});
