/**
 * One worker process seen from the pool: spawns it, shakes hands, sends heartbeats, runs
 * requests over JSON-RPC, forwards its stderr with its name, and is the only thing that ends it.
 * The worker leads its own process group, so ending it also ends whatever it started (coqidetop).
 */
import { ChildProcess, spawn } from 'node:child_process';
import {
  createMessageConnection,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import {
  FeedbackNotification,
  HandshakeRequest,
  HandshakeResult,
  HeartbeatNotification,
  InterruptNotification,
  POOL_PROTOCOL_VERSION,
  RunRequest,
} from '../../../protocol/pool';
import { WorkerSpawnError } from './errors';
import { describeExit } from './processStatus';

export interface WorkerSpawnOptions {
  /** The program's arguments after `node` (e.g. the path of dist/worker.js). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Passed to the worker's own start-up in the handshake. */
  options?: unknown;
  connectionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  onStderr?: (name: string, line: string) => void;
}

const STDERR_KEPT = 20;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  description: string;
}

export class WorkerProcess {
  private readonly connection: MessageConnection;
  private heartbeat: NodeJS.Timeout | undefined;
  private feedbackListener: ((taskId: number, feedback: unknown) => void) | undefined;
  readonly exited: Promise<WorkerExit>;
  private exitInfo: WorkerExit | undefined;
  /** The last lines the worker printed on stderr, to explain a failed start. */
  private readonly recentStderr: string[] = [];
  info: unknown;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal, description: `${name} ${describeExit(code, signal)}` };
        clearInterval(this.heartbeat);
        this.connection.dispose();
        resolve(this.exitInfo);
      });
    });
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    // A worker that dies closes its pipes; writes to them must not take the server down.
    child.stdin!.on('error', () => {});
    this.connection.onError(() => {});
    this.connection.onNotification(FeedbackNotification.type, ({ taskId, feedback }) =>
      this.feedbackListener?.(taskId, feedback),
    );
    this.connection.listen();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  static async spawn(name: string, options: WorkerSpawnOptions): Promise<WorkerProcess> {
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group: killing the group ends its children too
    });
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (error) => reject(new WorkerSpawnError(`${name} could not start: ${error.message}`, { cause: error }))),
    );
    if (child.pid === undefined) await spawnError;
    const worker = new WorkerProcess(name, child);
    forwardLines(child.stderr!, (line) => {
      worker.recentStderr.push(line);
      if (worker.recentStderr.length > STDERR_KEPT) worker.recentStderr.shift();
      options.onStderr?.(name, line);
    });
    const timeoutMs = options.connectionTimeoutMs ?? 30_000;
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race<HandshakeResult>([
        worker.connection.sendRequest(HandshakeRequest.type, {
          protocolVersion: POOL_PROTOCOL_VERSION,
          options: options.options,
          heartbeatTimeoutMs,
        }),
        spawnError,
        worker.exited.then((exit) => {
          throw new WorkerSpawnError(`${exit.description} before it was ready${worker.lastWords()}`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new WorkerSpawnError(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (result.protocolVersion !== POOL_PROTOCOL_VERSION) {
        throw new WorkerSpawnError(
          `${name} speaks pool protocol ${result.protocolVersion}, the server ${POOL_PROTOCOL_VERSION}: rebuild both (npm run build)`,
        );
      }
      worker.info = result.info;
    } catch (error) {
      // The pipes close as the process exits, so a dead worker may show up as a dropped request: name the exit instead.
      const exitedFirst = worker.exitInfo;
      await worker.kill();
      if (error instanceof WorkerSpawnError) throw error;
      if (exitedFirst) throw new WorkerSpawnError(`${exitedFirst.description} before it was ready${worker.lastWords()}`);
      throw new WorkerSpawnError(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    const interval = options.heartbeatIntervalMs ?? Math.max(100, Math.floor(heartbeatTimeoutMs / 4));
    worker.heartbeat = setInterval(() => void worker.connection.sendNotification(HeartbeatNotification.type).catch(() => {}), interval);
    worker.heartbeat.unref();
    return worker;
  }

  private lastWords(): string {
    const lines = this.recentStderr.filter((line) => line.trim());
    return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
  }

  onFeedback(listener: (taskId: number, feedback: unknown) => void): void {
    this.feedbackListener = listener;
  }

  /** Runs one request; rejects if the worker dies first. */
  run(taskId: number, request: unknown): Promise<unknown> {
    return Promise.race([
      this.connection.sendRequest(RunRequest.type, { taskId, request }),
      this.exited.then((exit) => {
        throw new Error(exit.description);
      }),
    ]);
  }

  interrupt(taskId: number): void {
    void this.connection.sendNotification(InterruptNotification.type, { taskId }).catch(() => {});
  }

  /** Ends the worker and everything it started, and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<WorkerExit> {
    if (this.alive) {
      try {
        process.kill(-this.pid, signal);
      } catch {
        // Already gone: its exit event is on its way.
      }
    }
    return this.exited;
  }
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
  });
}
