/**
 * The pool's end of one worker connection, whatever carries it: the handshake (versions checked),
 * heartbeats, task requests, interrupts, messages both ways, and extra typed functions
 * (rpc_parallel's worker functions). Subclasses say how the worker lives and dies.
 */
import {
  FeedbackNotification,
  HandshakeRequest,
  HandshakeResult,
  HeartbeatNotification,
  InterruptNotification,
  MessageNotification,
  NotificationSpec,
  POOL_PROTOCOL_VERSION,
  RequestSpec,
  RunRequest,
} from '../../../protocol/pool';
import { MessageDecodeError, WorkerSpawnError } from './errors';
import type { WorkerExit } from './processStatus';
import { RpcEndpoint } from './rpc/endpoint';
import type { Transport } from './rpc/transport';
import type { PoolWorker } from './worker';

export interface HandshakeOptions {
  /** Passed to the worker's `start`. */
  options?: unknown;
  heartbeatTimeoutMs: number;
  /** When set, a worker reporting another program version fails the spawn. */
  workerVersion?: string;
}

export abstract class WorkerHandle implements PoolWorker {
  protected readonly endpoint: RpcEndpoint;
  private feedbackListener: (taskId: number | undefined, feedback: unknown) => void = () => {};
  private heartbeat: NodeJS.Timeout | undefined;
  info: unknown;

  protected constructor(
    readonly name: string,
    transport: Transport,
  ) {
    this.endpoint = new RpcEndpoint(transport, (error) => this.onProtocolError(error));
    this.endpoint.onNotification(FeedbackNotification, ({ taskId, feedback }) => this.feedbackListener(taskId, feedback));
  }

  /** A frame that is not a message, or a notification of the wrong shape: nobody waits for it. */
  protected onProtocolError(_error: MessageDecodeError): void {}

  abstract readonly pid: number;
  abstract readonly alive: boolean;
  abstract readonly exited: Promise<WorkerExit>;
  abstract signal(signal: NodeJS.Signals): void;
  abstract kill(signal?: NodeJS.Signals): Promise<WorkerExit>;

  /** Shakes hands; throws WorkerSpawnError (kind 'version' or 'handshake') when the worker is not the one expected. */
  protected async handshake(options: HandshakeOptions): Promise<HandshakeResult> {
    let result: HandshakeResult;
    try {
      result = await this.endpoint.request(HandshakeRequest, {
        protocolVersion: POOL_PROTOCOL_VERSION,
        name: this.name,
        options: options.options,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      });
    } catch (error) {
      if (error instanceof MessageDecodeError && error.part === 'result') {
        throw new WorkerSpawnError(`${this.name} answered the handshake with something else: ${error.message}`, { kind: 'handshake', cause: error });
      }
      throw error;
    }
    if (result.protocolVersion !== POOL_PROTOCOL_VERSION) {
      throw new WorkerSpawnError(
        `${this.name} speaks pool protocol ${result.protocolVersion}, the server ${POOL_PROTOCOL_VERSION}: rebuild both (npm run build)`,
        { kind: 'version' },
      );
    }
    if (options.workerVersion !== undefined && result.workerVersion !== options.workerVersion) {
      throw new WorkerSpawnError(
        `${this.name} is version ${result.workerVersion ?? '(none)'} of the worker program, the server expects ${options.workerVersion}`,
        { kind: 'version' },
      );
    }
    this.info = result.info;
    return result;
  }

  protected startHeartbeats(intervalMs: number): void {
    this.heartbeat = setInterval(() => this.endpoint.notify(HeartbeatNotification, {}), intervalMs);
    this.heartbeat.unref();
  }

  protected stopHeartbeats(): void {
    clearInterval(this.heartbeat);
  }

  run(taskId: number, request: unknown): Promise<unknown> {
    return this.endpoint.request(RunRequest, { taskId, request });
  }

  interrupt(taskId: number): void {
    this.endpoint.notify(InterruptNotification, { taskId });
  }

  send(taskId: number | undefined, message: unknown): void {
    this.endpoint.notify(MessageNotification, { taskId, message });
  }

  onFeedback(listener: (taskId: number | undefined, feedback: unknown) => void): void {
    this.feedbackListener = listener;
  }

  /** Calls a function the worker serves besides tasks (declared once, in protocol/). */
  call<Params, Result>(spec: RequestSpec<Params, Result>, params: Params): Promise<Result> {
    return this.endpoint.request(spec, params);
  }

  notify<Params>(spec: NotificationSpec<Params>, params: Params): void {
    this.endpoint.notify(spec, params);
  }

  onNotification<Params>(spec: NotificationSpec<Params>, handler: (params: Params) => void): void {
    this.endpoint.onNotification(spec, handler);
  }
}
