/**
 * Cursor first, over stdio with one real coqidetop worker: the proof under the cursor the client
 * reports (proofpool/visibleRanges) is checked before the proofs queued ahead of it. The earlier
 * proofs never end on their own (each is stopped by the proof time limit), so the order in which
 * verdicts arrive depends on the queue's order alone, not on how fast anything runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { DidOpenTextDocumentNotification } from 'vscode-languageserver';
import { CancelCheckingRequest, ListWorkersRequest, ProofStatusNotification, ProofStatusParams, VisibleRangesNotification } from '../../protocol/lsp';
import { ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from '../support/cli';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-cursor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SLOW = 6;
/** Six proofs that only the time limit stops, then a quick one on the last line. */
const DOC =
  Array.from({ length: SLOW }, (_, i) => `Lemma slow${i + 1} : True.\nProof. do 1000000 do 1000000 idtac. exact I. Qed.\n`).join('') +
  'Lemma target : 2 + 2 = 4.\nProof. reflexivity. Qed.\n';
const TARGET_LINE = 2 * SLOW;
const FINAL = ['checked', 'failed', 'timedOut'];

async function startServer() {
  const { tag, env } = markedEnv();
  const session = await ServerSession.start({ workers: 1, proofTimeLimitMs: 2000 }, { env, serverPath: join(DIST, 'server.js') });
  const statuses: ProofStatusParams[] = [];
  session.connection.onNotification(ProofStatusNotification.type, (p) => statuses.push(p));
  return { session, tag, statuses };
}

function document(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, DOC);
  return pathToFileURL(path).href;
}

const cursorAt = (uri: string, line: number) => ({
  uri,
  ranges: [{ start: { line: Math.max(0, line - 5), character: 0 }, end: { line: line + 5, character: 0 } }],
  cursor: { line, character: 0 },
});
const status = (params: ProofStatusParams, name: string) => params.proofs.find((p) => p.name === name)!.status;

test('the proof under the cursor is checked first when the cursor is known before the check starts', async () => {
  const server = await startServer();
  try {
    const uri = document('Before.v');
    await server.session.connection.sendNotification(VisibleRangesNotification.type, cursorAt(uri, TARGET_LINE));
    await server.session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'coq', version: 1, text: DOC } });
    const first = await waitFor(() => server.statuses.find((s) => status(s, 'target') === 'checked'), 'target checked', 60_000);
    const earlier = first.proofs.filter((p) => p.name !== 'target').map((p) => p.status);
    assert.ok(earlier.every((s) => !FINAL.includes(s)), `no earlier proof has a verdict yet: ${earlier.join(', ')}`);
    assert.deepEqual(await server.session.connection.sendRequest(CancelCheckingRequest.type, { uri }), { cancelled: true });
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

test('moving the cursor to a late proof during a check puts it before the proofs queued ahead of it', async () => {
  const server = await startServer();
  try {
    const uri = document('During.v');
    await server.session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'coq', version: 1, text: DOC } });
    // Nothing said about the cursor: arrival order, slow1 runs first.
    await waitFor(() => server.statuses.some((s) => status(s, 'slow1') === 'running'), 'slow1 running', 60_000);
    await server.session.connection.sendNotification(VisibleRangesNotification.type, cursorAt(uri, TARGET_LINE));
    // A request answered after the notification: the server has taken the cursor into account.
    await server.session.connection.sendRequest(ListWorkersRequest.type);
    const stillRunning = server.statuses.at(-1)!;
    assert.equal(status(stillRunning, 'slow1'), 'running', 'slow1 was still running when the cursor moved');

    const first = await waitFor(() => server.statuses.find((s) => status(s, 'target') === 'checked'), 'target checked', 60_000);
    assert.equal(status(first, 'slow1'), 'timedOut', 'slow1 ran out of time first');
    for (let i = 2; i <= SLOW; i++) assert.ok(!FINAL.includes(status(first, `slow${i}`)), `slow${i} has no verdict before target`);
    await server.session.connection.sendRequest(CancelCheckingRequest.type, { uri });
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});
