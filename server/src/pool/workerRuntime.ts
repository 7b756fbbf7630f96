/**
 * The worker side of the pool protocol: a worker program calls `serveWorker` with its handler.
 * It answers the handshake once the handler has started, runs one request at a time, returns a
 * handler's exception as an error (and keeps serving), and exits as soon as the connection to the
 * pool closes or heartbeats stop, calling the handler's `dispose` first so nothing it started survives.
 */
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import {
  FeedbackNotification,
  HandshakeRequest,
  HeartbeatNotification,
  InterruptNotification,
  POOL_PROTOCOL_VERSION,
  RunRequest,
} from '../../../protocol/pool';

export interface TaskContext<Feedback> {
  taskId: number;
  /** Sends feedback to the pool; it arrives before this task's response. */
  feedback(feedback: Feedback): void;
  /** Aborted when the pool asks to interrupt this task. */
  interrupted: AbortSignal;
}

export interface WorkerHandler<Request, Response, Feedback> {
  /** Prepares the worker (e.g. starts coqidetop); what it returns goes to the pool as `info`. */
  start(options: unknown): Promise<unknown>;
  run(request: Request, context: TaskContext<Feedback>): Promise<Response>;
  /** Synchronous: called on the way out, must end every process the worker started. */
  dispose(): void;
}

export function serveWorker<Request, Response, Feedback>(handler: WorkerHandler<Request, Response, Feedback>): void {
  // stdout carries the protocol: anything printed must go to stderr instead.
  console.log = console.error;
  console.info = console.error;

  const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  const running = new Map<number, AbortController>();
  let lastHeartbeat = Date.now();

  const exit = (code: number): never => {
    handler.dispose();
    process.exit(code);
  };
  connection.onClose(() => exit(0));
  process.stdin.on('end', () => exit(0));
  process.on('SIGTERM', () => exit(0));

  connection.onNotification(HeartbeatNotification.type, () => {
    lastHeartbeat = Date.now();
  });
  connection.onNotification(InterruptNotification.type, ({ taskId }) => running.get(taskId)?.abort());

  connection.onRequest(HandshakeRequest.type, async ({ options, heartbeatTimeoutMs }) => {
    const info = await handler.start(options);
    lastHeartbeat = Date.now();
    setInterval(() => {
      if (Date.now() - lastHeartbeat > heartbeatTimeoutMs) {
        console.error(`no heartbeat from the pool for ${heartbeatTimeoutMs} ms: exiting`);
        exit(3);
      }
    }, Math.max(50, Math.floor(heartbeatTimeoutMs / 4))).unref();
    return { protocolVersion: POOL_PROTOCOL_VERSION, pid: process.pid, info };
  });

  connection.onRequest(RunRequest.type, async ({ taskId, request }) => {
    const abort = new AbortController();
    running.set(taskId, abort);
    try {
      return await handler.run(request as Request, {
        taskId,
        feedback: (feedback) => void connection.sendNotification(FeedbackNotification.type, { taskId, feedback }),
        interrupted: abort.signal,
      });
    } catch (error) {
      throw new ResponseError(1, error instanceof Error ? error.message : String(error));
    } finally {
      running.delete(taskId);
    }
  });

  connection.listen();
}
