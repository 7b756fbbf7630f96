/** What every VS Code scenario starts from: a scratch folder with a copy of examples/ and a freshly packed .vsix. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface E2EWorkspace {
  /** Remove it when done. */
  scratch: string;
  workspace: string;
  vsix: string;
}

/** `extraFiles` (paths from the repository root) are copied into the workspace beside the examples. */
export function prepareE2EWorkspace(root: string, name: string, extraFiles: string[] = []): E2EWorkspace {
  const scratch = mkdtempSync(join(tmpdir(), `proofpool-e2e-${name}-`));
  const workspace = join(scratch, 'workspace');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  for (const file of extraFiles) cpSync(join(root, file), join(workspace, basename(file)));
  // Packs the current dist/ (no rebuild: other test files may be loading from out/ right now).
  const vsix = join(scratch, 'proofpool.vsix');
  const pack = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--skip-build', '--out', vsix], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(pack.status, 0, `packaging failed:\n${pack.stdout}${pack.stderr}`);
  return { scratch, workspace, vsix };
}
