/**
 * Owns the language client and everything that lives as long as it: the only place that starts
 * or stops the server.
 */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  CheckFinishedNotification,
  KillWorkerRequest,
  ListWorkersRequest,
  ProofPoolInitOptions,
  WorkerInfo,
  WorkersNotification,
} from '../../protocol/lsp';
import { config } from './config';
import { WorkerStatusItem } from './status';

export class Ctx implements vscode.Disposable {
  private client: LanguageClient | undefined;
  readonly output = vscode.window.createOutputChannel('ProofPool');
  readonly status = new WorkerStatusItem();

  constructor(private readonly extension: vscode.ExtensionContext) {}

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc },
    };
    const initializationOptions: ProofPoolInitOptions = { workers: config.workers(), coqidetopPath: config.coqidetopPath() };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'coq' }],
      outputChannel: this.output,
      initializationOptions,
    };
    const client = new LanguageClient('proofpool', 'ProofPool', serverOptions, clientOptions);
    client.onNotification(WorkersNotification.type, ({ workers }) => {
      if (workers.length < this.knownWorkers) this.status.workerCrashed();
      this.knownWorkers = workers.length;
      this.status.setWorkers(workers);
    });
    client.onNotification(CheckFinishedNotification.type, (params) => this.status.documentChecked(params));
    this.client = client;
    await client.start();
  }

  private knownWorkers = 0;

  async listWorkers(): Promise<WorkerInfo[] | undefined> {
    if (!this.client?.isRunning()) return undefined;
    return (await this.client.sendRequest(ListWorkersRequest.type)).workers;
  }

  async killWorker(id: number): Promise<boolean> {
    if (!this.client?.isRunning()) return false;
    return (await this.client.sendRequest(KillWorkerRequest.type, { id })).killed;
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    this.status.dispose();
    this.output.dispose();
  }
}
