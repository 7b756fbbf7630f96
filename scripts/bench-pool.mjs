// `npm run bench:pool [-- --tasks N --rounds N]`: builds, then measures trivial tasks through the
// pool with 2 worker processes next to a bare JSON-RPC round trip (see test/bench/poolBench.entry.ts).
// Needs no Coq.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './setup.mjs';

const built = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'bench', 'poolBench.entry.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
