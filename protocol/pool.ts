/**
 * The wire between the pool (in the server) and a worker process: JSON-RPC 2.0, one message per
 * line, over a channel of its own (file descriptor 3), so nothing a worker prints on stdout can
 * corrupt a frame. Generic: task requests, responses and messages are opaque here; a policy (e.g.
 * the Coq proof policy, see ./coqTasks.ts) gives them their types.
 *
 * Every message is declared once, here, with guards that both sides use to decode what they
 * receive: a message of the wrong shape fails with an error naming the expected message.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';

/** Bumped on every incompatible change of this file; a mismatch fails the spawn. */
export const POOL_PROTOCOL_VERSION = 2;

/** The worker reads and writes protocol frames on this file descriptor when the pool started it. */
export const POOL_CHANNEL_FD = 3;
/** Set by the pool in a worker's environment: the descriptor carrying the protocol. */
export const POOL_CHANNEL_ENV = 'PROOFPOOL_POOL_CHANNEL';
/** Set by the pool in a worker's environment: the worker's name, for its own messages. */
export const WORKER_NAME_ENV = 'PROOFPOOL_WORKER_NAME';

/** A request declared once: method, types, and the guards that decode its params and result. */
export interface RequestSpec<Params, Result> {
  readonly method: string;
  readonly type: RequestType<Params, Result, void>;
  /** Names what a well-formed message holds, for decode errors. */
  readonly shape: { params: string; result: string };
  isParams(value: unknown): value is Params;
  isResult(value: unknown): value is Result;
}

/** A notification declared once. */
export interface NotificationSpec<Params> {
  readonly method: string;
  readonly type: NotificationType<Params>;
  readonly shape: { params: string };
  isParams(value: unknown): value is Params;
}

/** Error codes of error responses; JSON-RPC's own codes where one fits. */
export namespace PoolErrorCodes {
  /** The frame was not JSON. */
  export const ParseError = -32700;
  export const MethodNotFound = -32601;
  /** The params did not have the shape the method declares. */
  export const InvalidParams = -32602;
  /** The handler threw; the worker goes on serving. `data` is what the error carried. */
  export const HandlerFailed = 1;
  /** The handler's result could not be encoded as JSON. */
  export const ResultNotEncodable = 2;
}

export interface HandshakeParams {
  protocolVersion: number;
  /** The name the pool gave the worker (for its logs). */
  name: string;
  /** Passed to the worker's own start-up (for Coq: coqidetop path and flags). */
  options: unknown;
  /** The worker exits when no heartbeat arrived for this long. */
  heartbeatTimeoutMs: number;
}
export interface HandshakeResult {
  protocolVersion: number;
  pid: number;
  /** The worker program's own version, compared with what the pool expects (if it expects one). */
  workerVersion?: string;
  /** What the worker reports about itself (for Coq: versions, the coqidetop pid). */
  info: unknown;
}
/** Sent by the pool right after spawn; the worker answers once it is ready to take tasks. */
export namespace HandshakeRequest {
  export const method = 'pool/handshake';
  export const type = new RequestType<HandshakeParams, HandshakeResult, void>(method);
  export const shape = {
    params: 'HandshakeParams { protocolVersion: integer, name: string, options, heartbeatTimeoutMs: number }',
    result: 'HandshakeResult { protocolVersion: integer, pid: integer, workerVersion?: string, info }',
  };
  export function isParams(value: unknown): value is HandshakeParams {
    return (
      isRecord(value) &&
      isInteger(value.protocolVersion) &&
      typeof value.name === 'string' &&
      typeof value.heartbeatTimeoutMs === 'number'
    );
  }
  export function isResult(value: unknown): value is HandshakeResult {
    return (
      isRecord(value) &&
      isInteger(value.protocolVersion) &&
      isInteger(value.pid) &&
      (value.workerVersion === undefined || typeof value.workerVersion === 'string')
    );
  }
}

export interface RunParams {
  taskId: number;
  request: unknown;
}
/** Sent by the pool: run one task; the result is the task's response. */
export namespace RunRequest {
  export const method = 'pool/run';
  export const type = new RequestType<RunParams, unknown, void>(method);
  export const shape = { params: 'RunParams { taskId: integer, request }', result: 'any JSON value' };
  export function isParams(value: unknown): value is RunParams {
    return isRecord(value) && isInteger(value.taskId) && 'request' in value;
  }
  export function isResult(_value: unknown): _value is unknown {
    return true;
  }
}

export interface FeedbackParams {
  /** The running task it belongs to; absent for a message sent outside any task. */
  taskId?: number;
  feedback: unknown;
}
/** Sent by the worker: a task's feedback (always before that task's response), or a message of its own. */
export namespace FeedbackNotification {
  export const method = 'pool/feedback';
  export const type = new NotificationType<FeedbackParams>(method);
  export const shape = { params: 'FeedbackParams { taskId?: integer, feedback }' };
  export function isParams(value: unknown): value is FeedbackParams {
    return isRecord(value) && (value.taskId === undefined || isInteger(value.taskId)) && 'feedback' in value;
  }
}

export interface MessageParams {
  /** The running task it is for; absent for a message to the worker itself. */
  taskId?: number;
  message: unknown;
}
/** Sent by the pool: a message for a running task (e.g. from its `onStart`), or for the worker. */
export namespace MessageNotification {
  export const method = 'pool/message';
  export const type = new NotificationType<MessageParams>(method);
  export const shape = { params: 'MessageParams { taskId?: integer, message }' };
  export function isParams(value: unknown): value is MessageParams {
    return isRecord(value) && (value.taskId === undefined || isInteger(value.taskId)) && 'message' in value;
  }
}

export interface InterruptParams {
  taskId: number;
}
/** Sent by the pool to stop a running task early; the task still answers (with what it has). */
export namespace InterruptNotification {
  export const method = 'pool/interrupt';
  export const type = new NotificationType<InterruptParams>(method);
  export const shape = { params: 'InterruptParams { taskId: integer }' };
  export function isParams(value: unknown): value is InterruptParams {
    return isRecord(value) && isInteger(value.taskId);
  }
}

export type HeartbeatParams = Record<string, never>;
/** Sent by the pool periodically; a worker that stops hearing it exits. */
export namespace HeartbeatNotification {
  export const method = 'pool/heartbeat';
  export const type = new NotificationType<HeartbeatParams>(method);
  export const shape = { params: '{}' };
  export function isParams(value: unknown): value is HeartbeatParams {
    return isRecord(value);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return Number.isInteger(value);
}
