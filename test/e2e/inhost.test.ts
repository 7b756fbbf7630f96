// The in-host suite (test/inhost/) inside a real VS Code's extension host: code-server loads the
// extension under development from a staging copy laid out as the .vsix is (package.json, dist/,
// media/) and runs out/test/inhost/index.entry.js there, with the full `vscode` API. The suite
// writes a result file; a missing or incomplete file is a failure even if the workbench says 0
// (it does when the extension host crashes). Then: no process started by the test is left.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../inhost/runner';
import { repoRoot, startVSCode, type VSCode } from '../support/codeServer';
import { assertNoneLeft, MARKER_NAME } from '../support/processes';

test('the in-host suite passes inside the real extension host', { timeout: 420_000 }, async () => {
  const root = repoRoot();
  const entry = join(root, 'out', 'test', 'inhost', 'index.entry.js');
  for (const f of ['dist/client.js', 'dist/server.js', 'dist/worker.js', 'out/test/inhost/index.entry.js']) {
    assert.ok(existsSync(join(root, f)), `${f} is missing: run \`node esbuild.mjs\` first`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'proofpool-inhost-'));
  const workspace = join(scratch, 'workspace');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'documents', 'slow.v'), join(workspace, 'slow.v'));
  // A copy, so that a rebuild of dist/ during the run cannot change what is under test.
  const extension = join(scratch, 'extension');
  mkdirSync(join(extension, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(extension, 'package.json'));
  for (const f of ['client.js', 'server.js', 'worker.js']) cpSync(join(root, 'dist', f), join(extension, 'dist', f));
  cpSync(join(root, 'media'), join(extension, 'media'), { recursive: true });
  const tests = join(extension, 'out', 'test', 'inhost', 'index.entry.js');
  mkdirSync(join(extension, 'out', 'test', 'inhost'), { recursive: true });
  cpSync(entry, tests);

  const tag = randomUUID();
  const resultFile = join(scratch, 'result.json');
  let exitCode: number | undefined;
  let vs: VSCode | undefined;
  let passed = false;
  const t0 = Date.now();
  try {
    vs = await startVSCode({
      workspace,
      // No time limit: slow.v's endless proof must still run whenever a test looks.
      settings: { 'proofpool.workers': 2, 'proofpool.proofTimeLimit': 0 },
      env: { [MARKER_NAME]: tag, PROOFPOOL_INHOST_RESULT: resultFile },
      extensionTests: {
        developmentPath: extension,
        testsPath: tests,
        onExit: (code) => (exitCode = code),
        // The workbench forwards the whole host console; keep the suite's lines and the errors.
        onLog: (line) => {
          if (/[✓✗]|\d+ passing/.test(line) || /^(error|warn)/.test(line)) console.log(`[in-host] ${line}`);
        },
      },
    });
    await vs.waitFor(() => exitCode !== undefined, 'the in-host tests to end (codeAutomationExit)', 360_000);
    console.log(`in-host suite ended with ${exitCode} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(existsSync(resultFile), `no result file: the extension host crashed or never ran the suite (workbench said ${exitCode})`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult;
    for (const t of result.tests) console.log(`${t.ok ? 'ok' : 'FAILED'} ${t.name} (${t.ms} ms)${t.error ? `\n${t.error}` : ''}`);
    assert.ok(result.tests.length >= 11, `only ${result.tests.length} in-host tests ran`);
    assert.deepEqual(result.tests.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error}`), []);
    assert.equal(exitCode, 0, 'the workbench reports the suite failed');
    passed = true;
  } finally {
    await vs?.stop({ failed: !passed });
    rmSync(scratch, { recursive: true, force: true });
  }
  await assertNoneLeft(tag);
});
