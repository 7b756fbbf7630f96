#!/usr/bin/env node
// Installs code-server 4.100.3 (VS Code 1.100.3, the last line that runs on Node 20) into a cache
// folder outside the repository, for the end-to-end tests. Idempotent: a marker file is written only
// after every step succeeded, so a half-done install is thrown away and redone on the next run.
//
// Recipe: /work/shared/notes/vscode-e2e.md (npm install --ignore-scripts, then the postinstall by
// hand: lib/vscode dependencies, node_modules.asar link, rg, spdlog + native-watchdog built with
// npm's own node-gyp against /usr headers, argon2 rebuilt from source).
//
//   node scripts/ensure-code-server.mjs          # install if needed, print entry.js path
//   import { ensureCodeServer, codeServerEntry } from './ensure-code-server.mjs'
//
// Exit codes: 0 ok, 1 a step failed, 2 system packages missing and not running as root.

import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync,
  writeFileSync, lstatSync, unlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const SYSTEM_PACKAGES = ['build-essential', 'python3', 'ripgrep', 'chromium'];
const MARKER_NAME = '.proofpool-install-complete';

/** Folder holding this version's install (respects $XDG_CACHE_HOME). */
export function codeServerHome() {
  const cache = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.trim() !== ''
    ? process.env.XDG_CACHE_HOME
    : join(homedir(), '.cache');
  return resolve(cache, 'proofpool', `code-server-${CODE_SERVER_VERSION}`);
}

/** Path of code-server's `out/node/entry.js` (whether or not it is installed yet). */
export function codeServerEntry() {
  return join(codeServerHome(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** True when a previous run completed every step. */
export function isCodeServerInstalled() {
  const marker = join(codeServerHome(), MARKER_NAME);
  if (!existsSync(marker) || !existsSync(codeServerEntry())) return false;
  try {
    return JSON.parse(readFileSync(marker, 'utf8')).version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

export class EnsureError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs a command quietly and resolves to its stdout; on failure throws with the tail of its output. */
function run(cmd, args, { cwd, env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false',
        npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stdout = '';
    const keep = (chunk) => {
      out += chunk.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      if (stdout.length < 100_000) stdout += chunk.toString();
    });
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new EnsureError(`cannot start ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else {
        const tail = out.split('\n').slice(-40).join('\n');
        reject(new EnsureError(
          `\`${cmd} ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}) in ${cwd ?? process.cwd()}:\n${tail}`));
      }
    });
  });
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Debian packages the recipe needs that are not installed. */
function missingSystemPackages() {
  const hasDpkg = which('dpkg-query');
  const probes = {
    'build-essential': () => which('make') && which('c++'),
    python3: () => which('python3'),
    ripgrep: () => existsSync('/usr/bin/rg'),
    chromium: () => existsSync('/usr/bin/chromium'),
  };
  const present = (pkg) => (hasDpkg && dpkgInstalled(pkg)) || (probes[pkg] ?? (() => false))();
  return SYSTEM_PACKAGES.filter((pkg) => !present(pkg));
}

/** Exclusive lock (a folder) so two test runs do not install into the same place at once. */
async function withLock(home, log, fn) {
  const lock = `${home}.lock`;
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try { holder = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (Number.isInteger(holder) && holder > 0) {
        try { process.kill(holder, 0); alive = true; } catch (e) { alive = e.code === 'EPERM'; }
      }
      if (!alive && Number.isInteger(holder) && holder > 0) {
        rmSync(lock, { recursive: true, force: true }); // stale: its owner is gone
        continue;
      }
      if (Date.now() - started > 15 * 60_000) throw new EnsureError(`lock ${lock} held for 15 min`);
      if (!announced) {
        log(`waiting for another install (lock ${lock}, pid ${holder})`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Installs code-server if a complete install is not already there.
 * @returns {Promise<string>} path of out/node/entry.js
 */
export async function ensureCodeServer({ log = (line) => console.log(`[code-server] ${line}`) } = {}) {
  const home = codeServerHome();
  if (isCodeServerInstalled()) {
    log(`already installed: ${home}`);
    return codeServerEntry();
  }

  const t0 = Date.now();
  // One line per step, printed when it ends (with its duration), or FAILED.
  const step = async (what, fn) => {
    const s = Date.now();
    try {
      const result = await fn();
      log(`${what} (${seconds(Date.now() - s)})`);
      return result;
    } catch (err) {
      log(`${what} FAILED after ${seconds(Date.now() - s)}`);
      throw err;
    }
  };

  // 1. System packages.
  const missing = missingSystemPackages();
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      throw new EnsureError(
        `missing system packages: ${missing.join(' ')}\n` +
        `run as root:  apt-get install -y ${missing.join(' ')}\n` +
        `(or run this script as root and it will install them)`, 2);
    }
    await step(`apt-get install -y ${missing.join(' ')}`, async () => {
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      try {
        await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
      } catch {
        await run('apt-get', ['update'], { env });
        await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
      }
    });
  }

  mkdirSync(resolve(home, '..'), { recursive: true });
  return withLock(home, log, async () => {
    if (isCodeServerInstalled()) {
      log(`installed meanwhile by another process: ${home}`);
      return codeServerEntry();
    }
    // A half-done install (no marker) is thrown away: npm would otherwise keep a broken tree.
    if (existsSync(home)) {
      await step(`removing incomplete install ${home}`, async () => rmSync(home, { recursive: true, force: true }));
    }
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'package.json'),
      JSON.stringify({ name: 'proofpool-code-server', version: '0.0.0', private: true }, null, 2) + '\n');

    const npmGlobalRoot = (await run('npm', ['root', '-g'])).trim().split('\n').pop();
    const nodeGyp = join(npmGlobalRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (!existsSync(nodeGyp)) throw new EnsureError(`npm's bundled node-gyp not found at ${nodeGyp}`);
    if (!existsSync('/usr/include/node/node.h')) {
      throw new EnsureError('Node headers missing (/usr/include/node/node.h); native modules cannot be built');
    }

    const cs = join(home, 'node_modules', 'code-server');
    const vscode = join(cs, 'lib', 'vscode');

    // 2. code-server itself; --ignore-scripts keeps @vscode/ripgrep from downloading from GitHub.
    await step(`npm install --ignore-scripts code-server@${CODE_SERVER_VERSION}`, () =>
      run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
        { cwd: home }));

    // 3. VS Code's own runtime dependencies.
    await step('npm install --omit=dev --ignore-scripts in lib/vscode', () =>
      run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: vscode }));

    // 4. The postinstall, by hand.
    await step('link lib/vscode/node_modules.asar -> node_modules', async () => {
      const link = join(vscode, 'node_modules.asar');
      try { lstatSync(link); unlinkSync(link); } catch { /* not there */ }
      symlinkSync('node_modules', link);
    });
    await step('copy /usr/bin/rg to @vscode/ripgrep/bin/rg', async () => {
      const binDir = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
      mkdirSync(binDir, { recursive: true });
      copyFileSync('/usr/bin/rg', join(binDir, 'rg'));
      chmodSync(join(binDir, 'rg'), 0o755);
    });

    // 5. Native modules with npm's bundled node-gyp, against the local headers (no nodejs.org).
    for (const mod of ['@vscode/spdlog', 'native-watchdog']) {
      await step(`node-gyp rebuild --nodedir=/usr in ${mod}`, () =>
        run(process.execPath, [nodeGyp, 'rebuild', '--nodedir=/usr', '-j', 'max'],
          { cwd: join(vscode, 'node_modules', mod) }));
    }

    // 6. argon2, imported by code-server's wrapper even with --auth none.
    await step('npm rebuild argon2 --build-from-source', () =>
      run('npm', ['rebuild', 'argon2', '--build-from-source'], { cwd: home }));

    // 7. Check that it starts at all.
    await step('check: entry.js --version', async () => {
      const out = await run(process.execPath, [codeServerEntry(), '--version'],
        { cwd: home, env: { EXTENSIONS_GALLERY: '{}' } });
      if (!out.includes(CODE_SERVER_VERSION)) throw new EnsureError(`unexpected --version output:\n${out}`);
    });

    writeFileSync(join(home, MARKER_NAME), JSON.stringify({
      version: CODE_SERVER_VERSION, node: process.version, installedAt: new Date().toISOString(),
    }, null, 2) + '\n');
    log(`installed ${home} in ${seconds(Date.now() - t0)}`);
    return codeServerEntry();
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const t0 = Date.now();
  try {
    const entry = await ensureCodeServer();
    console.log(`[code-server] ready in ${seconds(Date.now() - t0)}: ${entry}`);
  } catch (err) {
    console.error(`[code-server] ${err instanceof Error ? err.message : err}`);
    process.exitCode = err instanceof EnsureError ? err.exitCode : 1;
  }
}
