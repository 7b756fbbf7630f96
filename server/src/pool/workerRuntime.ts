/**
 * The worker side of the pool protocol. A worker program calls `serveWorker` with its handler; a
 * test or a debugger can serve the same handler in-process (see inProcessWorker.ts).
 *
 * It answers the handshake once the handler has started (versions included), runs requests,
 * returns a handler's exception as an error and keeps serving, delivers the pool's messages to
 * the running task, and ends — calling the handler's `dispose` first, so nothing it started
 * survives — as soon as the connection to the pool closes, heartbeats stop, or a termination
 * signal arrives (which it then re-raises, so the pool sees how it ended).
 */
import { Socket } from 'node:net';
import {
  FeedbackNotification,
  HandshakeRequest,
  HeartbeatNotification,
  InterruptNotification,
  MessageNotification,
  NotificationSpec,
  POOL_CHANNEL_ENV,
  POOL_PROTOCOL_VERSION,
  RequestSpec,
  RunRequest,
  WORKER_NAME_ENV,
} from '../../../protocol/pool';
import { RpcEndpoint } from './rpc/endpoint';
import { streamTransport, Transport } from './rpc/transport';

export interface TaskContext<Feedback> {
  taskId: number;
  /** Sends feedback to the pool; it arrives before this task's response, in order. */
  feedback(feedback: Feedback): void;
  /** Aborted when the pool asks to interrupt this task. */
  interrupted: AbortSignal;
  /** The next message the pool sent to this task (e.g. from its `onStart`), in the order sent. */
  nextMessage(): Promise<unknown>;
}

/** What a worker can do outside its tasks. */
export interface WorkerContext {
  /** The name the pool gave this worker. */
  readonly name: string;
  /** A message to the pool outside any task (Tezt: a worker's message while not running a task). */
  send(message: unknown): void;
  /** Serves an extra typed request (rpc_parallel: a worker function), declared once in protocol/. */
  onRequest<Params, Result>(spec: RequestSpec<Params, Result>, handler: (params: Params) => Result | Promise<Result>): void;
  onNotification<Params>(spec: NotificationSpec<Params>, handler: (params: Params) => void): void;
  notify<Params>(spec: NotificationSpec<Params>, params: Params): void;
}

export interface WorkerHandler<Request, Response, Feedback> {
  /** Prepares the worker (e.g. starts coqidetop); what it returns goes to the pool as `info`. */
  start(options: unknown, worker: WorkerContext): Promise<unknown>;
  run(request: Request, context: TaskContext<Feedback>): Promise<Response>;
  /** Synchronous: called on the way out, must end every process the worker started. */
  dispose(): void;
  /** This program's version, reported in the handshake; the pool may insist on one. */
  version?: string;
  /** A message the pool sent to the worker itself, not to a task (e.g. forwarded feedback). */
  onMessage?(message: unknown): void;
}

/** Why a served worker ends. */
export type WorkerEnd = { code: number } | { signal: NodeJS.Signals };

/** Exit codes of a worker that ends by itself. */
export const WorkerExitCodes = { connectionClosed: 0, heartbeatsStopped: 3 } as const;

/** A task the worker is running: its interrupt and the messages the pool sent it. */
class RunningTask<Feedback> implements TaskContext<Feedback> {
  /** Made on first use: most tasks never look at it, and an AbortController is not free. */
  private abort: AbortController | undefined;
  private interruptAsked = false;
  private readonly messages: unknown[] = [];
  private readonly waiters: ((message: unknown) => void)[] = [];

  constructor(
    readonly taskId: number,
    private readonly send: (taskId: number, feedback: Feedback) => void,
  ) {}

  get interrupted(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.interruptAsked) this.abort.abort();
    }
    return this.abort.signal;
  }

  feedback(feedback: Feedback): void {
    this.send(this.taskId, feedback);
  }

  nextMessage(): Promise<unknown> {
    if (this.messages.length > 0) return Promise.resolve(this.messages.shift());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  interrupt(): void {
    this.interruptAsked = true;
    this.abort?.abort();
  }

  deliver(message: unknown): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(message);
    else this.messages.push(message);
  }
}

/**
 * Serves `handler` on `transport` until the connection ends; `end` is called once, after the
 * handler's `dispose`. Returns a function that ends the worker from outside (a signal).
 */
export function serveOn<Request, Response, Feedback>(
  transport: Transport,
  handler: WorkerHandler<Request, Response, Feedback>,
  defaultName: string,
  end: (how: WorkerEnd, why: string) => void,
): (how: WorkerEnd, why: string) => void {
  const endpoint = new RpcEndpoint(transport, (error) => console.error(`pool protocol: ${error.message}`));
  const running = new Map<number, RunningTask<Feedback>>();
  let lastHeartbeat = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  let ended = false;

  const finish = (how: WorkerEnd, why: string): void => {
    if (ended) return;
    ended = true;
    clearInterval(watchdog);
    // Tasks still running are told to stop (in-process, nothing else can stop them).
    for (const task of running.values()) task.interrupt();
    try {
      handler.dispose();
    } finally {
      endpoint.close();
      end(how, why);
    }
  };
  endpoint.onClose(() => finish({ code: WorkerExitCodes.connectionClosed }, 'the connection to the pool closed'));

  const context: WorkerContext = {
    name: defaultName,
    send: (message) => endpoint.notify(FeedbackNotification, { feedback: message }),
    onRequest: (spec, serve) => endpoint.onRequest(spec, serve),
    onNotification: (spec, serve) => endpoint.onNotification(spec, serve),
    notify: (spec, params) => endpoint.notify(spec, params),
  };

  endpoint.onNotification(HeartbeatNotification, () => {
    lastHeartbeat = Date.now();
  });
  endpoint.onNotification(InterruptNotification, ({ taskId }) => running.get(taskId)?.interrupt());
  endpoint.onNotification(MessageNotification, ({ taskId, message }) => {
    if (taskId === undefined) {
      handler.onMessage?.(message);
      return;
    }
    // Dropped when its task has ended.
    running.get(taskId)?.deliver(message);
  });

  endpoint.onRequest(HandshakeRequest, async ({ name, options, heartbeatTimeoutMs }) => {
    (context as { name: string }).name = name;
    const info = await handler.start(options, context);
    lastHeartbeat = Date.now();
    watchdog = setInterval(() => {
      if (Date.now() - lastHeartbeat <= heartbeatTimeoutMs) return;
      // The loop may have been busy: heartbeats already received are read in the poll phase,
      // which runs before setImmediate callbacks. Only silence after that counts.
      setImmediate(() => {
        if (Date.now() - lastHeartbeat > heartbeatTimeoutMs) {
          finish({ code: WorkerExitCodes.heartbeatsStopped }, `no heartbeat from the pool for ${heartbeatTimeoutMs} ms`);
        }
      });
    }, Math.max(50, Math.floor(heartbeatTimeoutMs / 4)));
    watchdog.unref();
    return { protocolVersion: POOL_PROTOCOL_VERSION, pid: process.pid, workerVersion: handler.version, info };
  });

  const sendFeedback = (taskId: number, feedback: Feedback) => endpoint.notify(FeedbackNotification, { taskId, feedback });
  endpoint.onRequest(
    RunRequest,
    ({ taskId, request }) => {
      const task = new RunningTask<Feedback>(taskId, sendFeedback);
      running.set(taskId, task);
      return handler.run(request as Request, task);
    },
    ({ taskId }) => running.delete(taskId),
  );

  return finish;
}

/** Serves `handler` in this process, which is a worker the pool spawned (or one started by hand on stdio). */
export function serveWorker<Request, Response, Feedback>(handler: WorkerHandler<Request, Response, Feedback>): void {
  const channel = process.env[POOL_CHANNEL_ENV];
  let transport: Transport;
  if (channel !== undefined) {
    // The pool gave us a descriptor of our own: stdout stays free for whatever the worker prints.
    const socket = new Socket({ fd: Number(channel), readable: true, writable: true });
    transport = streamTransport(socket, socket);
  } else {
    // Protocol on stdio: anything printed must go to stderr instead.
    console.log = console.error;
    console.info = console.error;
    transport = streamTransport(process.stdin, process.stdout);
  }
  const finish = serveOn(transport, handler, process.env[WORKER_NAME_ENV] ?? `worker ${process.pid}`, (how, why) => {
    if (why && 'code' in how && how.code !== 0) console.error(`${why}: exiting`);
    if ('code' in how) process.exit(how.code);
    // Re-raise the signal with its default action, so the pool sees how the worker ended.
    process.removeAllListeners(how.signal);
    process.kill(process.pid, how.signal);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => finish({ signal }, `received ${signal}`));
  }
}
