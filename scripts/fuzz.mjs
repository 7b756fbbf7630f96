// `npm run fuzz [-- --seed N --cases N --e2e N ...]`: builds, then runs the fuzzer
// (test/fuzz/fuzz.entry.ts; its header lists the options). Exits 1 when a case failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './setup.mjs';

const built = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'fuzz', 'fuzz.entry.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
