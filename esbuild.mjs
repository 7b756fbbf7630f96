// Bundles the four programs (client, server, worker, CLI) and the tests.
// Everything is bundled so that the .vsix ships no node_modules; only `vscode` stays external.
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external: ['vscode'],
  logLevel: 'warning',
};

const programs = {
  client: 'client/src/extension.ts',
  server: 'server/src/server.ts',
  worker: 'worker/src/main.ts',
  cli: 'server/src/cli.ts',
};

/** Every `*.test.ts` under test/, plus test entry points that are not tests themselves. */
function testEntries(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testEntries(path));
    else if (/\.(test|fixture|entry)\.ts$/.test(name)) found.push(path);
  }
  return found;
}

await Promise.all([
  ...Object.entries(programs).map(([name, entry]) =>
    esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile: `dist/${name}.js`,
      banner: name === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
    }),
  ),
  esbuild.build({ ...common, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test' }),
]);
