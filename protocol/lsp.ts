/**
 * ProofPool's own LSP messages between the server and its clients (the VS Code extension and
 * the `proofpool check` CLI). Method strings are written here and nowhere else.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

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

/** What the client may pass as `initializationOptions`. */
export interface ProofPoolInitOptions {
  /** Number of workers; 0 or absent: one per CPU. */
  workers?: number;
  coqidetopPath?: string;
}
