/** Runs the built `proofpool check` as a user would, with a marker to find leftover processes. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { markedEnv } from './processes';

export const DIST = join(__dirname, '..', '..', '..', 'dist');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  tag: string;
}

export function runCli(args: string[], cwd: string): Promise<CliRun> {
  const { tag, env } = markedEnv();
  const child = spawn(process.execPath, [join(DIST, 'cli.js'), ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, tag })));
}

/** The 1-based line of the first `FILE:LINE:COL: error:` line. */
export function firstErrorLine(stdout: string): number | undefined {
  const match = /^[^\s:]+:(\d+):\d+: error:/m.exec(stdout);
  return match ? Number(match[1]) : undefined;
}
