// End to end, Workspace Trust: in an untrusted folder (Restricted Mode) ProofPool starts no Coq
// process and says so; trusting the folder starts the server and the document is checked.
//
//   open broken.v in Restricted Mode → the status bar reads "ProofPool: restricted"; no server,
//   worker or coqidetop runs → F1 "ProofPool: Check Document" → a notification says why, with a
//   "Manage Workspace Trust" button → press it, then "Trust" → the server starts: the squiggle and
//   the workers appear → after VS Code stops, no process started by the test is left.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startVSCode, type VSCode } from '../support/codeServer';
import { prepareE2EWorkspace } from '../support/e2eWorkspace';
import { assertNoneLeft, MARKER_NAME } from '../support/processes';
import { notifications, ours, proofpoolStatus } from '../support/workbench';

test('an untrusted folder: no Coq process, the status bar says why; trusting it starts the checks', { timeout: 300_000 }, async () => {
  const root = repoRoot();
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const { scratch, workspace, vsix } = prepareE2EWorkspace(root, 'trust');

  const tag = randomUUID();
  let vs: VSCode | undefined;
  let passed = false;
  try {
    vs = await startVSCode({
      workspace, vsix, workspaceTrust: true,
      settings: { 'proofpool.workers': 2 },
      env: { [MARKER_NAME]: tag },
      screenshotDir: join(root, 'docs', 'screenshots'),
    });
    const v = vs;

    // 1. Restricted Mode: the extension runs in limited mode and says so; nothing of ours runs.
    await v.openFile('broken.v');
    await v.waitFor(async () => (await proofpoolStatus(v)) === 'ProofPool: restricted', 'the status bar to read "ProofPool: restricted"', 60_000);
    assert.ok((await v.statusBarItems()).includes('Restricted Mode'), 'VS Code shows Restricted Mode');
    // The status item is set when the extension has decided not to start: nothing is on its way.
    const running = [...ours(tag, 'server'), ...ours(tag, 'worker'), ...ours(tag, 'coqidetop')];
    assert.deepEqual(running, [], 'no server, worker or coqidetop runs in an untrusted workspace');
    console.log(`restricted: ${elapsed()}`);

    // 2. A command says why it cannot act, and offers the remedy.
    await v.runCommand('ProofPool: Check Document');
    const why = await v.waitFor(async () => (await notifications(v)).find((t) => t.includes('untrusted workspace')),
      'a notification saying ProofPool runs nothing in an untrusted workspace', 15_000);
    console.log(`notification: ${why}`);
    await v.screenshot('restricted.png');

    // 3. Trust the folder from that notification: the server starts and checks broken.v.
    await v.page.locator('.notification-toast .monaco-button', { hasText: 'Manage Workspace Trust' }).first().click();
    const trust = v.page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
    await v.waitFor(() => trust.isVisible(), 'the Workspace Trust editor with its "Trust" button', 15_000);
    await trust.click();
    await v.waitFor(async () => /ProofPool \d\/2 busy/.test((await proofpoolStatus(v)) ?? ''), 'the status bar to show 2 workers once trusted', 60_000);
    await v.waitFor(async () => ours(tag, 'worker').length === 2, 'two worker processes', 30_000);
    await v.openFile('broken.v');
    await v.waitFor(() => v.page.locator('.monaco-editor .squiggly-error').count(), 'the squiggle in broken.v once trusted', 90_000);
    console.log(`trusted and checked: ${elapsed()}: ${await proofpoolStatus(v)}`);
    passed = true;
  } finally {
    await vs?.stop({ failed: !passed });
    rmSync(scratch, { recursive: true, force: true });
  }
  await assertNoneLeft(tag);
  console.log(`total: ${elapsed()}`);
});
