/**
 * What the server last said, kept for the views: the workers, and each document's proof statuses
 * and verdict. The status bar item, the Workers view and the gutter icons all render from this one
 * copy, so they never disagree. It also notices crashes: a worker that vanished without being killed.
 */
import * as vscode from 'vscode';
import type { CheckFinishedParams, ProofStatusParams, WorkerInfo } from '../../protocol/lsp';

/** While a worker is busy the "for N s" texts move: re-render this often. */
const TICK_MS = 1000;

export interface ProofProgress {
  total: number;
  /** Proofs with a verdict (checked, failed or timed out). */
  done: number;
  failed: number;
  timedOut: number;
  /** Some proof is still queued or running. */
  checking: boolean;
  cancelled: boolean;
}

export class PoolState implements vscode.Disposable {
  private workerList: WorkerInfo[] = [];
  private receivedAt = Date.now();
  private readonly proofs = new Map<string, ProofStatusParams>();
  private readonly verdicts = new Map<string, CheckFinishedParams>();
  /** Pids the user asked to end: their disappearance is no crash. */
  private readonly expectedExits = new Set<number>();
  private crashedAt: Date | undefined;
  private ticker: NodeJS.Timeout | undefined;

  private readonly workersEmitter = new vscode.EventEmitter<void>();
  /** Workers changed (or a second passed while one is busy). */
  readonly onDidChangeWorkers = this.workersEmitter.event;
  private readonly proofsEmitter = new vscode.EventEmitter<string>();
  /** A document's proof statuses or verdict changed (its URI). */
  readonly onDidChangeProofs = this.proofsEmitter.event;

  get workers(): readonly WorkerInfo[] {
    return this.workerList;
  }

  /** How long a worker has been in its state, now. */
  sinceMs(worker: WorkerInfo): number {
    return worker.sinceMs + (Date.now() - this.receivedAt);
  }

  get crashed(): Date | undefined {
    return this.crashedAt;
  }

  setWorkers(workers: WorkerInfo[]): void {
    const now = new Set(workers.map((w) => w.pid));
    for (const old of this.workerList) {
      if (old.pid <= 0 || now.has(old.pid)) continue;
      if (!this.expectedExits.delete(old.pid)) this.crashedAt = new Date();
    }
    this.workerList = workers;
    this.receivedAt = Date.now();
    this.tick();
    this.workersEmitter.fire();
  }

  /** The user is about to end these workers (Kill Worker, Kill All, Restart Workers). */
  expectExit(pids: number[]): void {
    for (const pid of pids) this.expectedExits.add(pid);
  }

  setProofs(params: ProofStatusParams): void {
    this.proofs.set(params.uri, params);
    this.proofsEmitter.fire(params.uri);
  }

  setVerdict(params: CheckFinishedParams): void {
    this.verdicts.set(params.uri, params);
    this.crashedAt = undefined; // a check went through since: the warning has served
    this.proofsEmitter.fire(params.uri);
  }

  proofStatuses(uri: string): ProofStatusParams | undefined {
    return this.proofs.get(uri);
  }

  verdict(uri: string): CheckFinishedParams | undefined {
    return this.verdicts.get(uri);
  }

  progress(uri: string): ProofProgress | undefined {
    const params = this.proofs.get(uri);
    if (!params) return undefined;
    const count = (...names: string[]) => params.proofs.filter((p) => names.includes(p.status)).length;
    return {
      total: params.proofs.length,
      done: count('checked', 'failed', 'timedOut'),
      failed: count('failed'),
      timedOut: count('timedOut'),
      checking: count('queued', 'running') > 0,
      cancelled: params.cancelled === true,
    };
  }

  /** The server went away: nothing it said holds any more. */
  reset(): void {
    const uris = [...new Set([...this.proofs.keys(), ...this.verdicts.keys()])];
    this.proofs.clear();
    this.verdicts.clear();
    this.expectedExits.clear();
    this.crashedAt = undefined;
    this.workerList = [];
    this.tick();
    this.workersEmitter.fire();
    for (const uri of uris) this.proofsEmitter.fire(uri);
  }

  private tick(): void {
    const busy = this.workerList.some((w) => w.state !== 'idle');
    if (busy && !this.ticker) this.ticker = setInterval(() => this.workersEmitter.fire(), TICK_MS);
    if (!busy && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.workersEmitter.dispose();
    this.proofsEmitter.dispose();
  }
}
