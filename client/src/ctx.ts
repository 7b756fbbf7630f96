/**
 * Owns the language client and everything that lives as long as it: the only place that starts
 * or stops the server. Its state (untrusted, starting, running, stopped and why) is what the
 * commands and the views consult before asking the server anything.
 */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import type { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { CheckFinishedNotification, ProofStatusNotification, WorkersNotification } from '../../protocol/lsp';
import { config } from './config';
import { GoalsView } from './goalsView';
import { PoolState } from './poolState';

/** How long the server may take to end its pool when asked to stop. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export type ServerState =
  | { kind: 'untrusted' }
  | { kind: 'starting' }
  | { kind: 'running' }
  | { kind: 'stopped'; reason: string };

export class Ctx implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Disposed with the current client (its notification handlers, its state listener). */
  private clientSubscriptions: vscode.Disposable[] = [];
  private current: ServerState = { kind: 'stopped', reason: 'it has not been started yet' };
  private restarting: Promise<void> | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly output = vscode.window.createOutputChannel('ProofPool');
  readonly pool = new PoolState();
  /** Show Goals' document beside the editor. */
  readonly goals = new GoalsView(this);

  constructor(private readonly extension: vscode.ExtensionContext) {}

  get state(): ServerState {
    return this.current;
  }

  /** Starts the server unless it runs or the workspace is untrusted (then no Coq process may run). */
  async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) return this.setState({ kind: 'untrusted' });
    if (this.client) return;
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'coq' }],
      outputChannel: this.output,
      // Read at every (re)start, including the client's own restarts after a crash.
      initializationOptions: () => config.initOptions(),
      // `checkOn` applies without a restart: the server gets the section on every change.
      synchronize: { configurationSection: 'proofpool' },
    };
    // `proofpool.trace.server` is read by the client itself (its id is `proofpool`).
    const client = new LanguageClient('proofpool', 'ProofPool', serverOptions, clientOptions);
    this.client = client;
    this.clientSubscriptions.push(
      client.onNotification(WorkersNotification.type, ({ workers }) => this.pool.setWorkers(workers)),
      client.onNotification(ProofStatusNotification.type, (params) => this.pool.setProofs(params)),
      client.onNotification(CheckFinishedNotification.type, (params) => this.pool.setVerdict(params)),
      client.onDidChangeState(({ newState }) => {
        if (newState === State.Running) this.setState({ kind: 'running' });
        else if (newState === State.Starting) this.setState({ kind: 'starting' });
        else {
          // The server went away by itself (our own stop unsubscribes first). The client restarts
          // a crashed server a few times, then gives up and stays Stopped.
          this.pool.reset();
          this.setState({ kind: 'stopped', reason: 'it stopped unexpectedly; the "ProofPool" output says why' });
        }
      }),
    );
    this.setState({ kind: 'starting' });
    try {
      await client.start();
    } catch (error) {
      await this.disposeClient();
      this.setState({ kind: 'stopped', reason: `it could not start: ${error instanceof Error ? error.message : String(error)}` });
      throw error;
    }
  }

  /** Stops the server (its workers and their coqidetop processes end with it). */
  async stop(reason = 'it was stopped'): Promise<void> {
    if (!this.client) return;
    await this.disposeClient();
    this.pool.reset();
    this.setState(vscode.workspace.isTrusted ? { kind: 'stopped', reason } : { kind: 'untrusted' });
  }

  /** Stop then start, shown as progress; a second call while one runs waits for that one. */
  restart(): Promise<void> {
    this.restarting ??= Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the ProofPool server' }, async () => {
        await this.stop('it is restarting');
        await this.start();
      }),
    ).finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /** A request to the running server; undefined when it is not running. */
  async request<R>(type: RequestType0<R, void>): Promise<R | undefined>;
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R | undefined>;
  async request<P, R>(type: RequestType0<R, void> | RequestType<P, R, void>, params?: P): Promise<R | undefined> {
    const client = this.client;
    if (!client?.isRunning()) return undefined;
    return params === undefined ? client.sendRequest(type as RequestType0<R, void>) : client.sendRequest(type as RequestType<P, R, void>, params);
  }

  /** A notification to the running server; dropped when it is not running. */
  notify<P>(type: NotificationType<P>, params: P): void {
    const client = this.client;
    if (client?.isRunning()) void client.sendNotification(type, params).catch(() => undefined);
  }

  private async disposeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const s of this.clientSubscriptions.splice(0)) s.dispose();
    // The server ends its workers before it answers `shutdown`: give it time for that. stop() fails
    // on a client that never got going; the client kills a server that outlives it by 2 s anyway.
    if (client?.needsStop()) await client.stop(SHUTDOWN_TIMEOUT_MS).catch(() => undefined);
  }

  private setState(state: ServerState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.pool.dispose();
    this.goals.dispose();
    this.stateEmitter.dispose();
    this.output.dispose();
  }
}
