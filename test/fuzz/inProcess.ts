/**
 * Drives the in-process fuzz cases through a worker thread (caseWorker.entry.ts) with a watchdog:
 * a case that runs past its time bound, or takes the thread down (out of memory), is reported
 * with its index and seed, and the run goes on in a fresh thread from the next case.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CaseWorkerData, CaseWorkerMessage } from './caseWorker.entry';

export interface CaseFailure {
  index: number;
  seed: number;
  kind: string;
  length: number;
  problems: string[];
}

export interface InProcessSummary {
  cases: number;
  failures: CaseFailure[];
  seconds: number;
  characters: number;
  slowest: { index: number; kind: string; length: number; ms: number }[];
}

export interface InProcessOptions {
  master: number;
  indices: number[];
  /** A case may take this long plus `perMegabyteMs` per million characters before it counts as a hang. */
  baseTimeoutMs: number;
  perMegabyteMs: number;
  onProgress?(done: number): void;
}

/** Built beside the fuzzer (out/test/fuzz); found the same way from a test built into out/test/unit. */
const WORKER = join(__dirname, '..', 'fuzz', 'caseWorker.entry.js');

export async function runInProcess(options: InProcessOptions): Promise<InProcessSummary> {
  const started = performance.now();
  const failures: CaseFailure[] = [];
  const slowest: InProcessSummary['slowest'] = [];
  let characters = 0;
  let done = 0;
  let remaining = options.indices;
  while (remaining.length > 0) {
    const stoppedAt = await runThread(remaining, options, {
      done(message, current) {
        done++;
        characters += current.length;
        slowest.push({ index: message.index, kind: current.kind, length: current.length, ms: message.ms });
        slowest.sort((a, b) => b.ms - a.ms).splice(5);
        if (message.problems.length > 0) failures.push({ index: message.index, seed: current.seed, kind: current.kind, length: current.length, problems: message.problems });
        options.onProgress?.(done);
      },
      lost(current, why) {
        done++;
        failures.push({ index: current.index, seed: current.seed, kind: current.kind, length: current.length, problems: [why] });
      },
    });
    remaining = stoppedAt === undefined ? [] : remaining.slice(remaining.indexOf(stoppedAt) + 1);
  }
  return { cases: done, failures, seconds: (performance.now() - started) / 1000, characters, slowest };
}

type Started = Extract<CaseWorkerMessage, { type: 'start' }>;

/**
 * Runs cases in one thread until they are all done (undefined), or the thread is lost: then the
 * index to go on after (the lost case, or the last one done if it died between cases).
 */
function runThread(
  indices: number[],
  options: InProcessOptions,
  report: { done(message: Extract<CaseWorkerMessage, { type: 'done' }>, current: Started): void; lost(current: Started, why: string): void },
): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { master: options.master, indices } satisfies CaseWorkerData, resourceLimits: { maxOldGenerationSizeMb: 3072 } });
    let current: Started | undefined;
    let lastDone: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const lose = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (current) {
        report.lost(current, why);
        resolve(current.index);
      } else if (lastDone !== undefined) resolve(lastDone);
      // Lost before its first case: the harness itself is broken, and retrying would loop.
      else reject(new Error(`the fuzz thread failed before its first case: ${why}`));
    };
    worker.on('message', (message: CaseWorkerMessage) => {
      if (message.type === 'start') {
        current = message;
        const bound = options.baseTimeoutMs + (options.perMegabyteMs * message.length) / 1_000_000;
        timer = setTimeout(() => lose(`hang: still running after ${Math.round(bound)} ms`), bound);
      } else {
        clearTimeout(timer);
        report.done(message, current!);
        lastDone = message.index;
        current = undefined;
      }
    });
    worker.on('error', (error) => lose(`the thread died: ${error.message}`));
    worker.on('exit', (code) => {
      if (settled) return;
      if (current) return lose(`the thread exited with code ${code} in the middle of the case`);
      settled = true;
      resolve(undefined);
    });
  });
}
