#!/usr/bin/env node
// `npm run package`: bundles with esbuild, then packs dist/proofpool.vsix with the local vsce.
// The .vsix must hold only package.json, README.md, LICENSE (if any), dist/*.js and the gutter icons
// media/gutter/*.svg; the archive is read back afterwards and anything else fails the script.
//
//   node scripts/package.mjs [--skip-build] [--out dist/proofpool.vsix]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const outIndex = args.indexOf('--out');
const out = resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'dist/proofpool.vsix');
const t0 = Date.now();

function fail(message) {
  console.error(`[package] ${message}`);
  process.exit(1);
}

function step(what, cmd, cmdArgs) {
  const s = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.error) fail(`${what}: ${r.error.message}`);
  if (r.status !== 0) fail(`${what} failed (${r.signal ?? `exit ${r.status}`})`);
  console.log(`[package] ${what} (${((Date.now() - s) / 1000).toFixed(1)} s)`);
}

if (!skipBuild) step('node esbuild.mjs', process.execPath, ['esbuild.mjs']);

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const main = manifest.main ? resolve(root, manifest.main) : undefined;
if (main && !existsSync(main)) fail(`package.json "main" (${manifest.main}) does not exist after the build`);

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
if (!existsSync(vsce)) fail('node_modules/@vscode/vsce is not installed (devDependency @vscode/vsce)');
mkdirSync(dirname(out), { recursive: true });

const vsceArgs = [vsce, 'package', '--no-dependencies', '--out', out];
// package.json has no "repository" and the repo has no LICENSE file: vsce would stop and ask.
// Without a repository vsce also refuses README.md relative links (e.g. to docs/screenshots/*.png),
// since it cannot make them absolute: keep them relative instead.
if (!manifest.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)))) vsceArgs.push('--skip-license');
step(`vsce package → ${relative(root, out)}`, process.execPath, vsceArgs);

// Read the archive back (zip central directory) and check what it holds.
const entries = zipEntries(readFileSync(out));
const allowed = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/(LICENSE|LICENSE\.md|LICENSE\.txt)$/i,
  /^extension\/dist\/[^/]+\.js(\.map)?$/,
  /^extension\/media\/gutter\/[A-Za-z]+-(light|dark)\.svg$/,
];
const unexpected = entries.filter((e) => !allowed.some((re) => re.test(e.name)));
for (const e of entries) console.log(`[package]   ${e.name.padEnd(40)} ${String(e.size).padStart(9)} B`);
if (unexpected.length > 0) fail(`unexpected files in the .vsix: ${unexpected.map((e) => e.name).join(', ')}`);
if (main && !entries.some((e) => e.name === `extension/${relative(root, main)}`)) {
  fail(`the .vsix lacks its main entry extension/${relative(root, main)}`);
}
console.log(`[package] ${relative(root, out)}: ${entries.length} files, ${statSync(out).size} B, ` +
  `${((Date.now() - t0) / 1000).toFixed(1)} s`);

/** Names and sizes from a zip's central directory. */
function zipEntries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) fail(`${out} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const list = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`${out}: corrupt central directory`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    list.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return list;
}
