/** Kill All Workers: Kill Worker for each of them; the pool replaces each one and their proofs are checked again. */
import type { Connection } from 'vscode-languageserver';
import { KillAllWorkersRequest } from '../../../protocol/lsp';
import type { CoqPool } from '../coq/coqPool';

export class KillAllWorkersFeature {
  constructor(connection: Connection, pool: () => CoqPool | undefined) {
    connection.onRequest(KillAllWorkersRequest.type, async () => {
      const current = pool();
      if (!current) return { killed: 0 };
      const killed = await Promise.all(current.workers().map((w) => current.killWorker(w.id)));
      return { killed: killed.filter(Boolean).length };
    });
  }
}
