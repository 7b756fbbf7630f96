/** Timing a command as a whole process tree: wall time and the peak of its total resident memory. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { treeResidentBytes as descendantsResidentBytes } from '../../server/src/pool/processMemory';
import { markedEnv, processesWithTag } from './processes';

export interface Measurement {
  seconds: number;
  peakRssBytes: number;
  code: number | null;
  output: string;
}

/** A process's resident memory (VmRSS); 0 once it is gone. */
export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Total resident memory of the live processes carrying the marker (a whole process tree, re-parented ones too). */
export function treeResidentBytes(tag: string): number {
  return processesWithTag(tag).reduce((sum, pid) => sum + residentBytes(pid), 0);
}

/**
 * Runs `command` in `cwd`, sampling the memory of everything it starts every 50 ms: the process and
 * its descendants, read directly (a scan of every process's environment for the marker cost a
 * fifth of a core on this shared machine, taken from the tool being measured).
 */
export function measure(command: string, args: string[], cwd: string): Promise<Measurement> {
  const { tag, env } = markedEnv();
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd, env });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, (child.pid && descendantsResidentBytes(child.pid)) || treeResidentBytes(tag));
  }, 50);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssBytes: peak, code, output });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
