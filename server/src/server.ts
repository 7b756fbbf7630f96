/**
 * The ProofPool language server: wiring only. Runs over stdio (`--stdio`, the CLI) or IPC (VS Code).
 */
import { availableParallelism } from 'node:os';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckOn, ProofPoolInitOptions } from '../../protocol/lsp';
import { createCoqPool } from './coq/coqPool';
import { CheckCommandsFeature } from './features/checkCommands';
import { CheckingFeature, CheckingOptions } from './features/checking';
import { CheckProgressFeature } from './features/checkProgress';
import { ConfigurationFeature } from './features/configuration';
import { GoalsFeature } from './features/goals';
import { KillAllWorkersFeature } from './features/killAllWorkers';
import { RestartWorkersFeature } from './features/restartWorkers';
import { VisibleRangesFeature } from './features/visibleRanges';
import { WorkerPoolOwner } from './features/workerPool';
import { WorkersFeature } from './features/workers';

const connection = createConnection(ProposedFeatures.all);

// A bug in one handler must not take the checker down with every open document: say it, go on.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    connection.console.error(`ProofPool internal error (${event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
}
const documents = new TextDocuments(TextDocument);
/** Filled from the initialization options before the first document arrives. */
const checkingOptions: CheckingOptions = { coqArgs: [], checkOn: 'change' };
let createPool: (() => ReturnType<typeof createCoqPool>) | undefined;
const owner = new WorkerPoolOwner(() => createPool!());
const pool = () => owner.current();

const workers = new WorkersFeature(connection, pool);
const checking = new CheckingFeature(connection, documents, pool, checkingOptions);
new CheckProgressFeature(connection, checking);
new CheckCommandsFeature(connection, checking);
new KillAllWorkersFeature(connection, pool);
new RestartWorkersFeature(connection, owner, checking, () => workers.changed());
new ConfigurationFeature(connection, checking);
new GoalsFeature(connection, documents, checking, pool);
const visibleRanges = new VisibleRangesFeature(connection, pool);

const DEFAULT_PROOF_TIME_LIMIT_MS = 60_000;

connection.onInitialize((params) => {
  const options = (params.initializationOptions ?? {}) as ProofPoolInitOptions;
  checkingOptions.coqArgs = Array.isArray(options.coqArgs) ? options.coqArgs.filter((a) => typeof a === 'string') : [];
  if ((['change', 'save', 'manual'] as CheckOn[]).includes(options.checkOn!)) checkingOptions.checkOn = options.checkOn!;
  // Absent means the default of 60 s; 0 means no limit.
  checkingOptions.proofTimeLimitMs = typeof options.proofTimeLimitMs === 'number' ? options.proofTimeLimitMs : DEFAULT_PROOF_TIME_LIMIT_MS;
  checkingOptions.statusNotifications = options.statusNotifications !== false;
  workers.notify = options.statusNotifications !== false;
  createPool = () =>
    visibleRanges.attach(createCoqPool({
      size: options.workers && options.workers > 0 ? options.workers : availableParallelism(),
      coqidetopPath: options.coqidetopPath || 'coqidetop.opt',
      memoryLimitBytes: options.workerMemoryLimitBytes,
      log: (line) => connection.console.log(line),
      onWorkersChanged: () => workers.changed(),
      onSpawnFailure: (message) => checking.failSetup(message),
    }));
  owner.start();
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
    },
    serverInfo: { name: 'proofpool', version: '0.1.0' },
  };
});

connection.onShutdown(async () => {
  workers.dispose();
  await owner.dispose();
});

documents.listen(connection);
connection.listen();
