/**
 * Every way the pool can fail, as classes. Code matches on the class and on `reason`/`kind`,
 * never on message text; messages are for people.
 */
import type { WorkerExit } from './processStatus';

/**
 * Why a task did not produce a response. `memory`: its worker passed the pool's memory limit while
 * running it and was ended.
 */
export type TaskFailureReason = 'cancelled' | 'expired' | 'worker-died' | 'killed' | 'exception' | 'marshal' | 'timeout' | 'memory';

export class TaskFailedError extends Error {
  /** How the worker ended, when the failure is its end (died, killed, timed out). */
  readonly exit?: WorkerExit;

  constructor(
    readonly reason: TaskFailureReason,
    message: string,
    options?: { cause?: unknown; exit?: WorkerExit },
  ) {
    super(message, options);
    this.name = 'TaskFailedError';
    this.exit = options?.exit;
  }
}

/** Why a worker could not be started. */
export type WorkerSpawnFailure =
  /** The program could not be launched at all (e.g. a missing working directory). */
  | 'launch'
  /** It ended before it was ready. */
  | 'exited'
  /** It was not ready within the connection timeout. */
  | 'timeout'
  /** It speaks another protocol version, or is another version of the worker program. */
  | 'version'
  /** Its start-up failed, or it answered the handshake with something unreadable. */
  | 'handshake';

/** A worker could not be started. The process, if there was one, is gone when this is thrown. */
export class WorkerSpawnError extends Error {
  readonly kind: WorkerSpawnFailure;
  readonly exit?: WorkerExit;

  constructor(message: string, options?: { cause?: unknown; kind?: WorkerSpawnFailure; exit?: WorkerExit }) {
    super(message, options);
    this.name = 'WorkerSpawnError';
    this.kind = options?.kind ?? 'launch';
    this.exit = options?.exit;
  }
}

/** A value could not be encoded as JSON for the wire (Coq's marshal error). */
export class MarshalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MarshalError';
  }
}

/** A message arrived whose shape is not the one its method declares (see protocol/pool.ts). */
export class MessageDecodeError extends MarshalError {
  constructor(
    /** The method of the message, e.g. `pool/handshake`. */
    readonly method: string,
    /** Which part was wrong. */
    readonly part: 'params' | 'result' | 'frame',
    /** What a well-formed part holds. */
    readonly expected: string,
  ) {
    super(`a ${method} message arrived whose ${part} is not ${expected}`);
    this.name = 'MessageDecodeError';
  }
}

/** The other side answered a request with an error: a handler threw there. */
export class RemoteError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** What the thrown error carried (e.g. `{ operationError: 'transient' }`). */
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** The connection to a worker closed (or the worker ended) while a request was waiting. */
export class ConnectionClosedError extends Error {
  constructor(
    message: string,
    readonly exit?: WorkerExit,
  ) {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

/**
 * Thrown by an operation on a worker to say how the directive should take the failure
 * (paladin's OperationError): `transient` is retried, `fatal` ends the directive.
 */
export class OperationError extends Error {
  constructor(
    readonly kind: 'transient' | 'fatal',
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }

  /** What crosses the wire with the error response. */
  get data(): { operationError: 'transient' | 'fatal' } {
    return { operationError: this.kind };
  }
}

/** A directive ended on a fatal error (or a transient one retried too often); its other tasks were cancelled. */
export class DirectiveFailedError extends Error {
  constructor(
    message: string,
    /** The task that failed: its input index (map) or input range (fold). */
    readonly key: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectiveFailedError';
  }
}

/** The directive was cancelled by its owner. */
export class DirectiveCancelledError extends Error {
  constructor() {
    super('the directive was cancelled');
    this.name = 'DirectiveCancelledError';
  }
}
