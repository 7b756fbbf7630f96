// Installs what is missing on a fresh Debian machine with Node 20, then builds.
// Plain Node with builtins only: it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

function say(line) {
  console.error(`[setup] ${line}`);
}

function onPath(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

/** Debian packages, installed with apt-get when one of their programs is missing. */
export function ensureDebianPackages(packages, why) {
  if (process.getuid?.() !== 0) {
    if (onPath('sudo')) return run('sudo', ['-n', 'sh', '-c', aptCommand(packages)]);
    throw new Error(`${why} needs the Debian packages ${packages.join(' ')}; run as root: apt-get install -y ${packages.join(' ')}`);
  }
  run('sh', ['-c', aptCommand(packages)], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function aptCommand(packages) {
  return `(apt-get install -y -q ${packages.join(' ')} || (apt-get update -q && apt-get install -y -q ${packages.join(' ')}))`;
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm packages');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensureCoq() {
  if (onPath('coqidetop.opt')) return;
  say('coqidetop.opt is missing: installing Debian\'s coq');
  ensureDebianPackages(['coq'], 'Checking Coq documents');
  if (!onPath('coqidetop.opt')) throw new Error('coqidetop.opt is still missing after installing coq');
}

/** mathcomp and Flocq: the larger real documents the tests and benchmarks check (Debian packages). */
export function ensureCorpus() {
  const wanted = { 'libcoq-mathcomp': '/usr/lib/ocaml/coq/user-contrib/mathcomp/ssreflect/seq.v', 'libcoq-flocq': '/usr/lib/ocaml/coq/user-contrib/Flocq/Pff/Pff.v' };
  const missing = Object.keys(wanted).filter((pkg) => !existsSync(wanted[pkg]));
  if (missing.length === 0) return;
  say(`installing the test corpus: ${missing.join(' ')}`);
  ensureDebianPackages(missing, 'The tests and benchmarks');
}

export function build() {
  run(process.execPath, [join(root, 'esbuild.mjs')]);
}

export function setup({ corpus = false } = {}) {
  try {
    ensureNodeModules();
    ensureCoq();
    if (corpus) ensureCorpus();
    build();
  } catch (error) {
    say(`cannot set up: ${error.message}`);
    process.exit(2);
  }
}

export function coqVersion() {
  return execFileSync('coqc', ['--print-version'], { encoding: 'utf8' }).trim();
}
