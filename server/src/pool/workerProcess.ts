/**
 * One worker process seen from the pool (rpc_parallel's `spawn`): started with a name, env and
 * working directory, ready within a connection timeout or terminated then killed, protocol on a
 * descriptor of its own (fd 3), stdout and stderr captured line by line with its name, heartbeats,
 * and always reaped. The worker leads its own process group, so ending it also ends whatever it
 * started (coqidetop).
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { POOL_CHANNEL_ENV, POOL_CHANNEL_FD, WORKER_NAME_ENV } from '../../../protocol/pool';
import { ConnectionClosedError, WorkerSpawnError } from './errors';
import { forwardLines } from './lines';
import { describeExit, WorkerExit } from './processStatus';
import { streamTransport } from './rpc/transport';
import { WorkerHandle } from './workerHandle';

export type { WorkerExit } from './processStatus';

export interface WorkerSpawnOptions {
  /** The program's arguments after `node` (e.g. the path of dist/worker.js). */
  args: string[];
  /** The worker's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Passed to the worker's own start-up in the handshake. */
  options?: unknown;
  /** When set, a worker reporting another version of its program fails the spawn. */
  workerVersion?: string;
  /** The worker must have answered the handshake within this (default 30 s). */
  connectionTimeoutMs?: number;
  /** After a failed start: how long SIGTERM has to work before SIGKILL (default 1 s). */
  terminateGraceMs?: number;
  heartbeatIntervalMs?: number;
  /** The worker exits when it has heard no heartbeat for this long (default 10 s). */
  heartbeatTimeoutMs?: number;
  /** Each line the worker writes on stderr, with the worker's name. */
  onStderr?: (name: string, line: string) => void;
  /** Each line the worker writes on stdout (default: given to `onStderr`, it is a log too). */
  onStdout?: (name: string, line: string) => void;
}

const STDERR_KEPT = 20;
/** A worker whose connection closed gets this long to exit by itself before it is killed. */
const CLOSED_CONNECTION_GRACE_MS = 1000;
/** How long an exit waits for the rest of the worker's stderr, to quote its last words. */
const LAST_WORDS_WAIT_MS = 200;

export class WorkerProcess extends WorkerHandle {
  readonly exited: Promise<WorkerExit>;
  private exitInfo: WorkerExit | undefined;
  /** The last lines the worker printed on stderr, to explain a failed start or a death. */
  private readonly recentStderr: string[] = [];
  private stderrDone: Promise<void> = Promise.resolve();
  /** Handshake done: from then on an exit's description quotes the worker's last words (before, the spawn error does). */
  private ready = false;

  private constructor(
    name: string,
    private readonly child: ChildProcess,
  ) {
    const channel = child.stdio[POOL_CHANNEL_FD] as Socket;
    super(name, streamTransport(channel, channel));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // A worker that died abruptly (SIGKILL, crash) could not end what it started: a coqidetop
        // busy with an endless proof would run on, orphaned. Its group outlives it; end the group.
        // (The group id cannot be reused while any member is alive.)
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        // A worker that exits with an error code has usually said why just before, on stderr (e.g.
        // "coqidetop died: unparseable output from coqidetop (...)"): the description, which becomes
        // the failed task's message, quotes it, once the rest of its stderr has arrived.
        const lastWords = this.ready && code ? Promise.race([this.stderrDone, delay(LAST_WORDS_WAIT_MS)]).then(() => this.lastWords()) : Promise.resolve('');
        void lastWords.then((words) => {
          this.exitInfo = { code, signal, description: `${name} ${describeExit(code, signal)}${words}` };
          this.stopHeartbeats();
          this.endpoint.close(new ConnectionClosedError(this.exitInfo.description, this.exitInfo));
          resolve(this.exitInfo);
        });
      });
    });
    // A worker that closed its end of the protocol is of no use: give it a moment to exit, then end it.
    this.endpoint.onClose(() => {
      if (!this.alive) return;
      const timer = setTimeout(() => void this.kill(), CLOSED_CONNECTION_GRACE_MS);
      void this.exited.then(() => clearTimeout(timer));
    });
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
      env: { ...(options.env ?? process.env), [POOL_CHANNEL_ENV]: String(POOL_CHANNEL_FD), [WORKER_NAME_ENV]: name },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group: killing the group ends its children too
    });
    if (child.pid === undefined) {
      // Not launched (e.g. the working directory is missing): there is no process to wait for.
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new WorkerSpawnError(`${name} could not start: ${error.message}`, { kind: 'launch', cause: error });
    }
    child.on('error', () => {}); // a failed kill of a process already gone is not news
    const worker = new WorkerProcess(name, child);
    const stderrDone = (worker.stderrDone = forwardLines(child.stderr!, (line) => {
      worker.recentStderr.push(line);
      if (worker.recentStderr.length > STDERR_KEPT) worker.recentStderr.shift();
      options.onStderr?.(name, line);
    }));
    forwardLines(child.stdout!, (line) => (options.onStdout ?? options.onStderr)?.(name, line));
    const timeoutMs = options.connectionTimeoutMs ?? 30_000;
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        worker.handshake({ options: options.options, heartbeatTimeoutMs, workerVersion: options.workerVersion }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new WorkerSpawnError(`${name} was not ready within ${timeoutMs} ms`, { kind: 'timeout' })),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      // A worker that dies closes its channel a moment before its exit is reported: wait for the exit, to name it.
      if (error instanceof ConnectionClosedError) await Promise.race([worker.exited, delay(CLOSED_CONNECTION_GRACE_MS)]);
      const exitedFirst = worker.exitInfo;
      // Terminated, then killed: nothing of a failed start survives, and it is reaped before we say so.
      const exit = await worker.terminate(options.terminateGraceMs ?? 1000);
      if (exitedFirst) {
        await Promise.race([stderrDone, delay(200)]);
        throw new WorkerSpawnError(`${exitedFirst.description} before it was ready${worker.lastWords()}`, { kind: 'exited', exit, cause: error });
      }
      if (error instanceof WorkerSpawnError) throw new WorkerSpawnError(error.message, { kind: error.kind, exit, cause: error.cause });
      throw new WorkerSpawnError(`${name}: ${error instanceof Error ? error.message : String(error)}`, { kind: 'handshake', exit, cause: error });
    } finally {
      clearTimeout(timer);
    }
    worker.ready = true;
    worker.startHeartbeats(options.heartbeatIntervalMs ?? Math.max(100, Math.floor(heartbeatTimeoutMs / 4)));
    return worker;
  }

  protected override onProtocolError(error: Error): void {
    this.recentStderr.push(`(pool) ${error.message}`);
  }

  private lastWords(): string {
    const lines = this.recentStderr.filter((line) => line.trim());
    return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) signalGroup(this.pid, signal);
  }

  /** Ends the worker and everything it started, and waits until it is gone (reaped). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<WorkerExit> {
    this.signal(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`. */
  async terminate(graceMs: number): Promise<WorkerExit> {
    if (!this.alive) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Signals the process group a worker leads (the worker and what it started). */
function signalGroup(leader: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leader, signal);
  } catch {
    // Nobody left in it: its exit event is on its way, or it was empty already.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
