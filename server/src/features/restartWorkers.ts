/** Restart Workers: a fresh pool in place of the current one, and the interrupted documents checked again. */
import type { Connection } from 'vscode-languageserver';
import { RestartWorkersRequest } from '../../../protocol/lsp';
import type { CheckingFeature } from './checking';
import type { WorkerPoolOwner } from './workerPool';

export class RestartWorkersFeature {
  constructor(connection: Connection, owner: WorkerPoolOwner, checking: CheckingFeature, workersChanged: () => void) {
    connection.onRequest(RestartWorkersRequest.type, async () => {
      // Cancelled first, so that no check sees its tasks fail because the pool went away.
      const interrupted = checking.cancelAll();
      const pool = await owner.restart();
      workersChanged();
      if (pool) checking.recheck(interrupted);
      return { workers: pool?.size ?? 0 };
    });
  }
}
