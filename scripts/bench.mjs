// `npm run bench [-- --runs N --only List,Pff]`: sets up (with mathcomp and Flocq), then runs the
// benchmark of ProofPool against coqc on real documents; `npm run bench -- --edits`: edit latencies.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup({ corpus: true });
const args = process.argv.slice(2);
const entry = args.includes('--edits') ? 'edits.entry.js' : 'checkers.entry.js';
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'bench', entry), ...args.filter((a) => a !== '--edits')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
