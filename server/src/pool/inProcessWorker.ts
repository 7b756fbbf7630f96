/**
 * A worker served in this very process (rpc_parallel's `serve`): the same handler and the same
 * protocol as a spawned worker, messages encoded and decoded the same way, but no process — for
 * tests and for stepping through a handler in a debugger. A signal or a kill ends the connection
 * and disposes the handler; JavaScript cannot be preempted, so a task that never yields keeps
 * running, but its answer goes nowhere.
 */
import { ConnectionClosedError } from './errors';
import { WorkerExit } from './processStatus';
import { inMemoryTransportPair } from './rpc/transport';
import { WorkerHandle } from './workerHandle';
import { serveOn, WorkerEnd, WorkerHandler } from './workerRuntime';

export interface InProcessOptions {
  options?: unknown;
  workerVersion?: string;
  heartbeatTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export class InProcessWorker extends WorkerHandle {
  readonly exited: Promise<WorkerExit>;
  private exitInfo: WorkerExit | undefined;
  private endServer!: (how: WorkerEnd, why: string) => void;
  private resolveExit!: (exit: WorkerExit) => void;

  private constructor(name: string, handler: WorkerHandler<unknown, unknown, unknown>) {
    const [poolSide, workerSide] = inMemoryTransportPair();
    super(name, poolSide);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.endServer = serveOn(workerSide, handler, name, (how) => this.ended(how));
  }

  static async start<Request, Response, Feedback>(
    name: string,
    handler: WorkerHandler<Request, Response, Feedback>,
    options: InProcessOptions = {},
  ): Promise<InProcessWorker> {
    const worker = new InProcessWorker(name, handler as WorkerHandler<unknown, unknown, unknown>);
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 10_000;
    try {
      await worker.handshake({ options: options.options, heartbeatTimeoutMs, workerVersion: options.workerVersion });
    } catch (error) {
      await worker.kill('SIGTERM');
      throw error;
    }
    worker.startHeartbeats(options.heartbeatIntervalMs ?? Math.max(100, Math.floor(heartbeatTimeoutMs / 4)));
    return worker;
  }

  get pid(): number {
    return process.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    this.endServer({ signal }, `received ${signal}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<WorkerExit> {
    this.signal(signal);
    return this.exited;
  }

  private ended(how: WorkerEnd): void {
    if (this.exitInfo) return;
    const code = 'code' in how ? how.code : null;
    const signal = 'signal' in how ? how.signal : null;
    const description = `${this.name} (in-process) ${signal ? `was ended by ${signal}` : `ended with code ${code}`}`;
    this.exitInfo = { code, signal, description };
    this.stopHeartbeats();
    this.endpoint.close(new ConnectionClosedError(description, this.exitInfo));
    // Like a process exit: observed asynchronously.
    queueMicrotask(() => this.resolveExit(this.exitInfo!));
  }
}
