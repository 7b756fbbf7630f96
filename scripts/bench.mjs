// `npm run bench [-- --runs N --only List,Pff]`: sets up (with mathcomp and Flocq), then runs the
// benchmark of ProofPool against coqc on real documents.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup({ corpus: true });
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'bench', 'checkers.entry.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
