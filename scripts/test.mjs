// `npm test`: sets up what is missing, type-checks, builds, and runs every test once, in one
// node:test run (one summary). Arguments pick suites: unit, integration, e2e (default: all).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

const SUITES = ['unit', 'integration', 'e2e'];
const wanted = process.argv.slice(2);
for (const suite of wanted) {
  if (!SUITES.includes(suite)) {
    console.error(`unknown suite '${suite}': choose among ${SUITES.join(', ')}`);
    process.exit(2);
  }
}
const suites = wanted.length ? wanted : SUITES;

setup({ corpus: suites.includes('integration') });
const typecheck = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'], {
  cwd: root,
  stdio: 'inherit',
});
if (typecheck.status !== 0) process.exit(1);

if (suites.includes('e2e')) {
  const { ensureCodeServer } = await import('./ensure-code-server.mjs');
  try {
    await ensureCodeServer();
  } catch (error) {
    console.error(`[test] cannot set up VS Code for the e2e tests: ${error.message}`);
    process.exit(error.exitCode ?? 1);
  }
  const packaged = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
  if (packaged.status !== 0) process.exit(1);
}

const files = suites.flatMap((suite) => {
  const dir = join(root, 'out', 'test', suite);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f)) : [];
});
// One file at a time: the integration and e2e tests start real Coq processes on a small machine.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
