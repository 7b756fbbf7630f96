/**
 * The wire between the pool (in the server) and a worker process: JSON-RPC over the worker's
 * stdin/stdout. Generic: task requests, responses and feedback are opaque here; a policy
 * (e.g. the Coq proof policy, see ./coqTasks.ts) gives them their types.
 */
import { NotificationType, NotificationType0, RequestType } from 'vscode-jsonrpc';

/** Bumped on every incompatible change of this file; a mismatch fails the spawn. */
export const POOL_PROTOCOL_VERSION = 1;

export interface HandshakeParams {
  protocolVersion: number;
  /** Passed to the worker's own start-up (for Coq: coqidetop path and flags). */
  options: unknown;
  /** The worker exits when no heartbeat arrived for this long. */
  heartbeatTimeoutMs: number;
}
export interface HandshakeResult {
  protocolVersion: number;
  pid: number;
  /** What the worker reports about itself (for Coq: versions, the coqidetop pid). */
  info: unknown;
}
/** Sent by the pool right after spawn; the worker answers once it is ready to take tasks. */
export namespace HandshakeRequest {
  export const method = 'pool/handshake';
  export const type = new RequestType<HandshakeParams, HandshakeResult, void>(method);
}

export interface RunParams {
  taskId: number;
  request: unknown;
}
/** Sent by the pool: run one task; the result is the task's response. */
export namespace RunRequest {
  export const method = 'pool/run';
  export const type = new RequestType<RunParams, unknown, void>(method);
}

export interface FeedbackParams {
  taskId: number;
  feedback: unknown;
}
/** Sent by the worker while a task runs, always before that task's response. */
export namespace FeedbackNotification {
  export const method = 'pool/feedback';
  export const type = new NotificationType<FeedbackParams>(method);
}

export interface InterruptParams {
  taskId: number;
}
/** Sent by the pool to stop a running task early; the task still answers (with what it has). */
export namespace InterruptNotification {
  export const method = 'pool/interrupt';
  export const type = new NotificationType<InterruptParams>(method);
}

/** Sent by the pool periodically; a worker that stops hearing it exits. */
export namespace HeartbeatNotification {
  export const method = 'pool/heartbeat';
  export const type = new NotificationType0(method);
}
