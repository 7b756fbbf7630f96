/**
 * The ProofPool language server: wiring only. Runs over stdio (`--stdio`, the CLI) or IPC (VS Code).
 */
import { availableParallelism } from 'node:os';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProofPoolInitOptions } from '../../protocol/lsp';
import { CoqPool, createCoqPool } from './coq/coqPool';
import { CheckingFeature } from './features/checking';
import { WorkersFeature } from './features/workers';

const connection = createConnection(ProposedFeatures.all);

// A bug in one handler must not take the checker down with every open document: say it, go on.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    connection.console.error(`ProofPool internal error (${event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
}
const documents = new TextDocuments(TextDocument);
let pool: CoqPool | undefined;

const workers = new WorkersFeature(connection, () => pool);
const checking = new CheckingFeature(connection, documents, () => {
  if (!pool) throw new Error('a document was opened before the server was initialized');
  return pool;
});

connection.onInitialize((params) => {
  const options = (params.initializationOptions ?? {}) as ProofPoolInitOptions;
  pool = createCoqPool({
    size: options.workers && options.workers > 0 ? options.workers : availableParallelism(),
    coqidetopPath: options.coqidetopPath || 'coqidetop.opt',
    log: (line) => connection.console.log(line),
    onWorkersChanged: () => workers.changed(),
    onSpawnFailure: (message) => checking.failSetup(message),
  });
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: 'proofpool', version: '0.1.0' },
  };
});

connection.onShutdown(async () => {
  workers.dispose();
  await pool?.destroy();
});

documents.listen(connection);
connection.listen();
