/**
 * Starts dist/server.js for a client that speaks LSP to it over stdio (the CLI, tests). Kept apart
 * from the LSP code so that the CLI can start the server before loading that code: the server's
 * Node takes ~0.1 s to be ready, which the CLI's own loading then overlaps.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { nodeChildEnv } from '../nodeChildEnv';

export interface ServerProcessOptions {
  /** dist/server.js; by default the one beside this bundle (dist/cli.js). */
  serverPath?: string;
  env?: NodeJS.ProcessEnv;
}

export function spawnServer({ serverPath = join(__dirname, 'server.js'), env }: ServerProcessOptions = {}): ChildProcess {
  return spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: nodeChildEnv(env ?? process.env) });
}
