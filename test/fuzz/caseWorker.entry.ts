/**
 * Runs in-process fuzz cases inside a worker thread, so that the driver (inProcess.ts) can stop a
 * case that hangs and name it: the thread says when each case starts and how it ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzCase } from './cases';
import { checkText } from './oracle';

export interface CaseWorkerData {
  master: number;
  indices: number[];
}

export type CaseWorkerMessage =
  | { type: 'start'; index: number; length: number; kind: string; seed: number }
  | { type: 'done'; index: number; ms: number; problems: string[]; sentences: number; proofs: number };

const { master, indices } = workerData as CaseWorkerData;
const port = parentPort!;

for (const index of indices) {
  const fuzz = fuzzCase(master, index);
  port.postMessage({ type: 'start', index, length: fuzz.text.length, kind: fuzz.kind, seed: fuzz.seed } satisfies CaseWorkerMessage);
  const started = performance.now();
  const result = checkText(fuzz.text);
  port.postMessage({ type: 'done', index, ms: performance.now() - started, ...result } satisfies CaseWorkerMessage);
}
