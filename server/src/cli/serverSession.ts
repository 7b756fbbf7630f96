/**
 * The CLI's side of LSP: starts dist/server.js over stdio, opens documents and waits for each
 * one's `proofpool/checkFinished`, keeping the diagnostics published before it. It owns the
 * server process and ends it on the way out.
 */
import type { ChildProcess } from 'node:child_process';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  ClientCapabilities,
  Diagnostic,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShowMessageNotification,
  ShutdownRequest,
} from 'vscode-languageserver';
import { CheckFinishedNotification, CheckFinishedParams, ProofPoolInitOptions } from '../../../protocol/lsp';
import { describeExit } from '../pool/processStatus';
import { ServerProcessOptions, spawnServer } from './serverProcess';

export interface DocumentResult {
  finished: CheckFinishedParams;
  diagnostics: Diagnostic[];
}

export interface ConnectOptions {
  log?: (line: string) => void;
  /** What the client announces it supports (the CLI: nothing; tests may ask for e.g. window.workDoneProgress). */
  capabilities?: ClientCapabilities;
}

export interface ServerStartOptions extends ServerProcessOptions, ConnectOptions {}

export class ServerSession {
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiting = new Map<string, { version: number; resolve: (result: DocumentResult) => void }>();
  private readonly serverGone: Promise<never>;
  /** JSON-RPC keeps one handler per method: other listeners subscribe here instead. */
  private readonly finishedListeners: ((params: CheckFinishedParams) => void)[] = [];
  private readonly diagnosticsListeners: ((params: PublishDiagnosticsParams) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    /** The LSP connection, for callers that need more than `check` (tests, other clients). */
    readonly connection: MessageConnection,
    log: (line: string) => void,
  ) {
    this.serverGone = new Promise((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`the ProofPool server ${describeExit(code, signal)}`))),
    );
    this.serverGone.catch(() => {});
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params.diagnostics);
      for (const listener of this.diagnosticsListeners) listener(params);
    });
    connection.onNotification(CheckFinishedNotification.type, (finished) => {
      for (const listener of this.finishedListeners) listener(finished);
      const waiter = this.waiting.get(finished.uri);
      if (waiter?.version !== finished.version) return;
      this.waiting.delete(finished.uri);
      waiter.resolve({ finished, diagnostics: this.diagnostics.get(finished.uri) ?? [] });
    });
    connection.onNotification(LogMessageNotification.type, ({ message }) => log(message));
    connection.onNotification(ShowMessageNotification.type, ({ message }) => log(message));
  }

  onCheckFinished(listener: (params: CheckFinishedParams) => void): void {
    this.finishedListeners.push(listener);
  }

  onDiagnostics(listener: (params: PublishDiagnosticsParams) => void): void {
    this.diagnosticsListeners.push(listener);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static start(options: ProofPoolInitOptions, startOptions: ServerStartOptions = {}): Promise<ServerSession> {
    return ServerSession.connect(spawnServer(startOptions), options, startOptions);
  }

  /** Initializes the server `child` (from spawnServer), which this session then owns. */
  static async connect(child: ChildProcess, options: ProofPoolInitOptions, { log = () => {}, capabilities = {} }: ConnectOptions = {}): Promise<ServerSession> {
    child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
    child.stdin!.on('error', () => {});
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.onError(() => {});
    const session = new ServerSession(child, connection, log);
    connection.listen();
    await Promise.race([
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities,
        initializationOptions: options,
      }),
      session.serverGone,
    ]);
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** Opens the document and resolves with its verdict once the server has checked it. */
  check(uri: string, text: string): Promise<DocumentResult> {
    const result = this.verdict(uri, 1);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'coq', version: 1, text },
    });
    return result;
  }

  /** Resolves with the verdict of this version of the document (register before causing it). */
  verdict(uri: string, version: number): Promise<DocumentResult> {
    const result = new Promise<DocumentResult>((resolve) => this.waiting.set(uri, { version, resolve }));
    return Promise.race([result, this.serverGone]);
  }

  /** Asks the server to shut down (it ends its workers), and kills it if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), this.serverGone, timeout(5000)]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // Already gone, or wedged: killed below.
    }
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
    this.connection.dispose();
  }

  /** Immediate end (SIGKILL): the server's workers see their connection close and exit. */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
