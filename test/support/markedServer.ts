/**
 * The built server over stdio, started as the CLI starts it but with a marker of its own (so every
 * process it starts can be found and counted), its log kept, and the requests and edits an editor
 * makes one call away. The caller owns the session: `stop()` it, then `assertNoneLeft(tag)`.
 */
import { join } from 'node:path';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver';
import { ListWorkersRequest, ProofPoolInitOptions, WorkerInfo } from '../../protocol/lsp';
import { DocumentResult, ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from './cli';
import { childrenOf, commandLine, markedEnv, processesWithTag, waitFor } from './processes';

export interface MarkedServer {
  session: ServerSession;
  tag: string;
  /** Every line the server logged (window/logMessage, stderr), in order. */
  log: string[];
  listWorkers(): Promise<WorkerInfo[]>;
  /** Replaces the document's whole text with this version and resolves with its verdict. */
  edit(uri: string, version: number, text: string): Promise<DocumentResult>;
  /** Resolves once the pool holds `size` started workers again (after deaths and replacements). */
  refilled(size: number, timeoutMs?: number): Promise<WorkerInfo[]>;
  /**
   * Resolves once the marked processes are exactly the server, its listed workers and at most one
   * coqidetop child of each (a fresh worker starts its coqidetop with its first task): nothing of a
   * dead worker lingers. Throws naming the processes otherwise.
   */
  onlyPoolLeft(timeoutMs?: number): Promise<void>;
}

export async function startMarkedServer(options: ProofPoolInitOptions): Promise<MarkedServer> {
  const { tag, env } = markedEnv();
  const log: string[] = [];
  const session = await ServerSession.start(options, { env, serverPath: join(DIST, 'server.js'), log: (line) => log.push(line) });
  const listWorkers = async () => (await session.connection.sendRequest(ListWorkersRequest.type)).workers;
  return {
    session,
    tag,
    log,
    listWorkers,
    async edit(uri, version, text) {
      const verdict = session.verdict(uri, version);
      await session.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
      return verdict;
    },
    refilled: (size, timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const workers = await listWorkers();
          return workers.length === size && workers.every((w) => w.pid > 0 && w.state !== 'starting') && workers;
        },
        `${size} started workers`,
        timeoutMs,
      ),
    async onlyPoolLeft(timeoutMs = 10_000) {
      const strays = async () => {
        const workers = new Set((await listWorkers()).map((w) => w.pid));
        const coqidetops = [...workers].map((pid) => childrenOf(pid).filter((child) => commandLine(child).includes('coqidetop')));
        if (coqidetops.some((children) => children.length > 1)) return ['a worker with two coqidetops'];
        const expected = new Set([session.pid, ...workers, ...coqidetops.flat()]);
        return processesWithTag(tag)
          .filter((pid) => !expected.has(pid))
          .map((pid) => `${pid} ${commandLine(pid)}`);
      };
      let last: string[] = [];
      await waitFor(async () => (last = await strays()).length === 0, 'only the server, its workers and their coqidetops', timeoutMs).catch((error: Error) => {
        throw new Error(`${error.message}; also running: ${last.join(', ')}`);
      });
    },
  };
}
