// `npm start -- FILE.v...`: sets up what is missing, then checks the files (default: examples/).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root, setup } from './setup.mjs';

setup();
let args = process.argv.slice(2);
if (!args.some((a) => a.endsWith('.v'))) {
  const examples = join(root, 'examples');
  const files = readdirSync(examples, { recursive: true }).filter((f) => f.endsWith('.v')).sort();
  args = [...args, ...files.map((f) => relative(process.env.INIT_CWD ?? process.cwd(), join(examples, f)))];
}
// npm runs scripts from the package root; the user's paths are relative to where they typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();
const result = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'check', ...args], { stdio: 'inherit', cwd });
process.exit(result.status ?? 2);
