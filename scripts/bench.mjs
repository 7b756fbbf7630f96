// `npm run bench [-- --runs N --only List,Pff]`: sets up (with mathcomp and Flocq), then runs the
// benchmark of ProofPool against coqc on real documents; `npm run bench -- --edits`: edit latencies;
// `npm run bench -- --floor`: the least two to sixteen workers could take here, from coqc's times.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup({ corpus: true });
const args = process.argv.slice(2);
const modes = { '--edits': 'edits.entry.js', '--floor': 'floor.entry.js' };
const mode = args.find((a) => Object.hasOwn(modes, a));
const entry = mode ? modes[mode] : 'checkers.entry.js';
const result = spawnSync(process.execPath, [join(root, 'out', 'test', 'bench', entry), ...args.filter((a) => a !== mode)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
