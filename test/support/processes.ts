/**
 * Leftover-process checks. Every process a test starts inherits a marker variable in its
 * environment, so whatever it spawned (server, workers, coqidetop) can be found by the marker even
 * after it has been re-parented, and killed by pid if a test failed to end it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const MARKER_NAME = 'PROOFPOOL_TEST_TAG';

/** A fresh marker and an environment that carries it. */
export function markedEnv(base: NodeJS.ProcessEnv = process.env): { tag: string; env: NodeJS.ProcessEnv } {
  const tag = randomUUID();
  return { tag, env: { ...base, [MARKER_NAME]: tag } };
}

/** Whether the process exists and is not a zombie (an orphan waits for init to reap it). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of live processes (not zombies) whose environment holds the marker. */
export function processesWithTag(tag: string): number[] {
  const needle = `${MARKER_NAME}=${tag}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle) && alive(Number(entry))) found.push(Number(entry));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found;
}

/** Pids of the live children of `pid`. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return children;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/**
 * Waits until no process carries the marker; if some remain after `timeoutMs`, kills them (by pid)
 * so one failing test does not poison the next, and throws naming them.
 */
export async function assertNoneLeft(tag: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = processesWithTag(tag);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = processesWithTag(tag);
  }
  if (left.length === 0) return;
  const described = left.map((pid) => `${pid} (${commandLine(pid)})`);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended meanwhile.
    }
  }
  throw new Error(`processes left behind after ${timeoutMs} ms: ${described.join(', ')}`);
}

/** Polls `condition` until it holds; throws naming `what` on timeout. */
export async function waitFor<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
