/** The pool of Coq proof workers: the generic pool with the proof policy and dist/worker.js. */
import { join } from 'node:path';
import type { CheckRequest, CheckResponse, CoqMessage, CoqWorkerOptions } from '../../../protocol/coqTasks';
import { nodeChildEnv } from '../nodeChildEnv';
import { Pool, PoolOptions } from '../pool/pool';
import { WorkerProcess } from '../pool/workerProcess';
import { CoqCompetence, proofPolicy, ProofTask } from './proofPolicy';

export type CoqPool = Pool<ProofTask, CheckRequest, CheckResponse, CoqCompetence>;

export interface CoqPoolOptions {
  size: number;
  /** dist/worker.js; by default the one beside this bundle (dist/server.js). */
  workerScript?: string;
  /** The workers' environment (default: the server's). */
  env?: NodeJS.ProcessEnv;
  coqidetopPath: string;
  /** A worker whose memory (with its coqidetop) passes this is replaced at once; the proof it was checking fails with reason 'memory'. */
  memoryLimitBytes?: number;
  log(line: string): void;
  onWorkersChanged(): void;
  onSpawnFailure(message: string): void;
}

export function createCoqPool(options: CoqPoolOptions): CoqPool {
  const workerOptions: CoqWorkerOptions = { coqidetopPath: options.coqidetopPath };
  const poolOptions: PoolOptions<ProofTask, CheckRequest, CheckResponse, CoqCompetence> = {
    size: options.size,
    policy: proofPolicy,
    spawn: (name) =>
      WorkerProcess.spawn(name, {
        args: [options.workerScript ?? join(__dirname, 'worker.js')],
        env: nodeChildEnv(options.env ?? process.env),
        options: workerOptions,
        onStderr: (worker, line) => options.log(`[${worker}] ${line}`),
      }),
    onFeedback: (task, feedback) => task.onMessage(feedback as CoqMessage),
    // Injected tasks have no handle: every task's outcome reaches its owner through the task itself.
    onFinish: (task, outcome) => task.settled?.(outcome),
    memoryLimitBytes: options.memoryLimitBytes || undefined,
    onWorkerOverMemory: (name, bytes) => options.log(`${name} holds ${Math.round(bytes / 2 ** 20)} MiB, over the memory limit: it is replaced, and the proof it was checking (if any) stopped`),
    onWorkersChanged: options.onWorkersChanged,
    onUnexpectedWorkerExit: (name, exit) => options.log(`${exit.description}; starting a new worker in its place`),
    onSpawnFailure: (error) => options.onSpawnFailure(error.message),
  };
  return new Pool(poolOptions);
}
