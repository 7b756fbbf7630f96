/**
 * ProofPool's own LSP messages between the server and its clients (the VS Code extension and
 * the `proofpool check` CLI). Method strings are written here and nowhere else.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { ProofGoal } from './coqTasks';

export type { ProofGoal } from './coqTasks';

export interface ProofCounts {
  total: number;
  checked: number;
  failed: number;
  timedOut: number;
  /** Proofs that could not be reached because an earlier sentence failed. */
  unchecked: number;
}

export interface CheckFinishedParams {
  uri: string;
  version: number;
  proofs: ProofCounts;
  durationMs: number;
  workers: number;
  /** Set when the document could not be checked at all (e.g. Coq is not installed); then nothing was verified. */
  setupError?: string;
}
/** Server → client, exactly once per fully checked document version, after its diagnostics. */
export namespace CheckFinishedNotification {
  export const method = 'proofpool/checkFinished';
  export const type = new NotificationType<CheckFinishedParams>(method);
}

/** LSP's Range (0-based lines and UTF-16 columns), written out to keep this file's only dependency vscode-jsonrpc. */
export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export type ProofStatusName = 'queued' | 'running' | 'checked' | 'failed' | 'timedOut' | 'unchecked';

export interface ProofStatus {
  name: string;
  /** From the start of the statement to the end of the closing sentence (or of the document). */
  range: Range;
  status: ProofStatusName;
}

export interface ProofStatusParams {
  uri: string;
  version: number;
  proofs: ProofStatus[];
  /** Set on the last status of a check the user cancelled: its queued and running proofs are now `unchecked`. */
  cancelled?: boolean;
}
/** Server → client while a version is checked (at most every 100 ms) and once at its end, before checkFinished. */
export namespace ProofStatusNotification {
  export const method = 'proofpool/proofStatus';
  export const type = new NotificationType<ProofStatusParams>(method);
}

export type WorkerStateName = 'starting' | 'idle' | 'busy';

export interface WorkerInfo {
  id: number;
  pid: number;
  state: WorkerStateName;
  /** What the worker is doing, e.g. "List.v: proof of app_nil_r (line 120)". */
  task?: string;
  /** Milliseconds spent in the current state. */
  sinceMs: number;
  /** Resident memory of the worker and the processes it started (coqidetop). */
  rssBytes: number;
  tasksDone: number;
}

export interface WorkersParams {
  workers: WorkerInfo[];
}
/** Server → client, on every change of a worker's state, birth or death. */
export namespace WorkersNotification {
  export const method = 'proofpool/workers';
  export const type = new NotificationType<WorkersParams>(method);
}

/** Client → server: the current workers. */
export namespace ListWorkersRequest {
  export const method = 'proofpool/listWorkers';
  export const type = new RequestType0<WorkersParams, void>(method);
}

export interface KillWorkerParams {
  id: number;
}
export interface KillWorkerResult {
  killed: boolean;
}
/** Client → server: kill one worker; a fresh one replaces it and its task is run again. */
export namespace KillWorkerRequest {
  export const method = 'proofpool/killWorker';
  export const type = new RequestType<KillWorkerParams, KillWorkerResult, void>(method);
}

export interface KillAllWorkersResult {
  /** How many workers were killed (each is replaced by a fresh one; their proofs are checked again). */
  killed: number;
}
/** Client → server: kill every worker, as Kill Worker does for one. */
export namespace KillAllWorkersRequest {
  export const method = 'proofpool/killAllWorkers';
  export const type = new RequestType0<KillAllWorkersResult, void>(method);
}

export interface RestartWorkersResult {
  /** The size of the new pool. */
  workers: number;
}
/**
 * Client → server: end the whole pool (every check is cancelled, every worker and coqidetop ends),
 * start a fresh one and check the open documents again. Answered once the new pool exists.
 */
export namespace RestartWorkersRequest {
  export const method = 'proofpool/restartWorkers';
  export const type = new RequestType0<RestartWorkersResult, void>(method);
}

export interface DocumentParams {
  uri: string;
}
export interface CheckDocumentResult {
  /** False when the server does not have this document open (or it is not a file). */
  started: boolean;
}
/** Client → server: check the document's current version from scratch now (whatever `checkOn` says). */
export namespace CheckDocumentRequest {
  export const method = 'proofpool/checkDocument';
  export const type = new RequestType<DocumentParams, CheckDocumentResult, void>(method);
}

export interface CancelCheckingResult {
  /** False when no check of this document was running. */
  cancelled: boolean;
}
/**
 * Client → server: stop checking the document. Its queued and running proofs become `unchecked`
 * (one last proofStatus with `cancelled` set); no checkFinished follows. The diagnostics found so far stay.
 */
export namespace CancelCheckingRequest {
  export const method = 'proofpool/cancelChecking';
  export const type = new RequestType<DocumentParams, CancelCheckingResult, void>(method);
}

export interface Position {
  line: number;
  character: number;
}

export interface GoalsParams {
  uri: string;
  /** The goals after the last sentence that ends at or before this position. */
  position: Position;
}
export interface GoalsResult {
  /** The sentence after which these are the goals. */
  range: Range;
  /** Focused goals, in order: each hypothesis (`n, m : nat`) and the conclusion, as Coq prints them. */
  goals: ProofGoal[];
  /** Goals outside the focus (other bullets, braces), shelved, and given up (admitted). */
  unfocused: number;
  shelved: number;
  givenUp: number;
  /**
   * Set when Coq cannot get to the position: a sentence of this proof before it fails (and the
   * rest of its block was skipped). The goals are then those before that sentence.
   */
  error?: { message: string; range: Range };
}
/**
 * Client → server: the goals at a position inside a proof; null outside proofs. Served by a worker
 * that holds that state when one does, otherwise by one that walks there. An error when the
 * document is not open or cannot be checked up to there (an earlier sentence outside proofs fails).
 */
export namespace GoalsRequest {
  export const method = 'proofpool/goals';
  export const type = new RequestType<GoalsParams, GoalsResult | null, void>(method);
}

export interface VisibleRangesParams {
  uri: string;
  /** What the editor shows of the document. */
  ranges: Range[];
  cursor: Position;
}
/**
 * Client → server, when the active editor scrolls, moves its cursor or changes (debounced): queued
 * proofs around the cursor, then those in view, are checked first (the pool's queue order).
 */
export namespace VisibleRangesNotification {
  export const method = 'proofpool/visibleRanges';
  export const type = new NotificationType<VisibleRangesParams>(method);
}

/** When a document is checked: on every change (after a pause in typing), on save, or only on request. */
export type CheckOn = 'change' | 'save' | 'manual';

/** What the client may pass as `initializationOptions`. */
export interface ProofPoolInitOptions {
  /** Number of workers; 0 or absent: one per CPU. */
  workers?: number;
  coqidetopPath?: string;
  /** Extra coqidetop arguments, before the `_CoqProject` flags (e.g. `-w -notation-overridden`). */
  coqArgs?: string[];
  /** Absent: `change`. Later changes arrive as `workspace/didChangeConfiguration` ({ proofpool: { checkOn } }). */
  checkOn?: CheckOn;
  /** A proof running longer than this is stopped and reported as timed out; absent: 60 s; 0: no limit. */
  proofTimeLimitMs?: number;
  /** A worker whose memory (with its coqidetop) passes this is ended at once and replaced (its proof retried once, then reported); 0 or absent: no limit. */
  workerMemoryLimitBytes?: number;
  /**
   * Absent or true: `proofpool/proofStatus` and `proofpool/workers` as they change (gutter, status
   * bar, Workers view). false: neither, for a client that shows only diagnostics and the final
   * counts (the CLI): on a long file they are most of what the server writes.
   */
  statusNotifications?: boolean;
}
