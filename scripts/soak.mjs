// `npm run soak [-- --cycles N --workers N --seed N]`: sets up and builds, then edits a copy of List.v
// for N cycles through the real server, checking every verdict and watching the memory of the whole
// process tree (see test/bench/soak.entry.ts). Exits non-zero on a wrong verdict, a hang, more than
// 10 % memory growth, or a process left behind.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup();
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'bench', 'soak.entry.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
