/**
 * The in-host suite's entry (VS Code's `extensionTestsPath`): runs the scenarios inside the real
 * extension host with the full `vscode` API, writes the result to $PROOFPOOL_INHOST_RESULT and
 * rejects when a test failed. The file matters: if the extension host crashes mid-run the
 * workbench still reports success, so the outer test trusts only a complete result file.
 *
 * Run here by test/e2e/inhost.test.ts (code-server); elsewhere by scripts/test-electron.mjs
 * (@vscode/test-electron, where VS Code can be downloaded).
 */
import { writeFileSync } from 'node:fs';
import { runAll } from './runner';
import './editor.inhost';
import './commands.inhost';

export async function run(): Promise<void> {
  const result = await runAll((line) => console.log(line), process.env.PROOFPOOL_INHOST_GREP || undefined);
  const file = process.env.PROOFPOOL_INHOST_RESULT;
  if (file) writeFileSync(file, JSON.stringify(result, null, 2));
  if (result.failed > 0) throw new Error(`${result.failed} of ${result.tests.length} in-host tests failed`);
}
