#!/usr/bin/env node
// The in-host suite (test/inhost/) under @vscode/test-electron, on a machine that can download
// VS Code. (This one cannot: there, test/e2e/inhost.test.ts runs the same suite in code-server's
// extension host as part of `npm test`.) @vscode/test-electron is not a dependency; install it
// for the run:
//
//   npm i --no-save @vscode/test-electron && node esbuild.mjs && node scripts/test-electron.mjs
//
// The workspace is a copy of examples/ plus test/fixtures/documents/slow.v, with two workers; the
// suite writes its result file, which is checked here, and no process it started may be left.

import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let runTests;
try {
  ({ runTests } = await import('@vscode/test-electron'));
} catch {
  console.error('[test-electron] @vscode/test-electron is not installed: npm i --no-save @vscode/test-electron');
  process.exit(2);
}
const tests = join(root, 'out', 'test', 'inhost', 'index.entry.js');
if (!existsSync(tests) || !existsSync(join(root, 'dist', 'client.js'))) {
  console.error('[test-electron] build first: node esbuild.mjs');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'proofpool-electron-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'examples'), workspace, { recursive: true });
cpSync(join(root, 'test', 'fixtures', 'documents', 'slow.v'), join(workspace, 'slow.v'));
const userData = join(scratch, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ 'proofpool.workers': 2, 'proofpool.proofTimeLimit': 0, 'security.workspace.trust.enabled': false }));
const tag = randomUUID();
const resultFile = join(scratch, 'result.json');

let failed = false;
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: tests,
    extensionTestsEnv: { PROOFPOOL_TEST_TAG: tag, PROOFPOOL_INHOST_RESULT: resultFile },
    launchArgs: [workspace, '--user-data-dir', userData, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`[test-electron] ${error instanceof Error ? error.message : error}`);
  failed = true;
}
// A crashed extension host can still end with success: only a complete result file counts.
if (!existsSync(resultFile)) {
  console.error('[test-electron] no result file: the extension host crashed or never ran the suite');
  failed = true;
} else {
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  for (const t of result.tests) console.log(`${t.ok ? 'ok' : 'FAILED'} ${t.name} (${t.ms} ms)${t.error ? `\n${t.error}` : ''}`);
  if (result.failed > 0) failed = true;
}
// VS Code has exited; its server and workers get a few seconds to follow.
let left = leftovers(tag);
for (const deadline = Date.now() + 5000; left.length > 0 && Date.now() < deadline; left = leftovers(tag)) {
  await new Promise((r) => setTimeout(r, 100));
}
if (left.length > 0) {
  console.error(`[test-electron] processes left behind (killing them): ${left.join(', ')}`);
  for (const pid of left) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  failed = true;
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

/** Pids whose environment holds the marker (Linux); elsewhere none can be found. */
function leftovers(marker) {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`PROOFPOOL_TEST_TAG=${marker}\0`);
    } catch {
      return false;
    }
  }).map(Number);
}
