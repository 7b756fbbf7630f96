/** The worker monitor: live worker list to clients, and killing a worker on request. */
import type { Connection } from 'vscode-languageserver';
import { KillWorkerRequest, ListWorkersRequest, WorkerInfo, WorkersNotification } from '../../../protocol/lsp';
import type { CoqPool } from '../coq/coqPool';
import { groupResidentBytes } from '../pool/processMemory';

/** State changes come in bursts (every task start and end): tell the client at most this often. */
const NOTIFY_INTERVAL_MS = 100;

export class WorkersFeature {
  private timer: NodeJS.Timeout | undefined;

  /** false: the client does not want the worker list pushed (it may still ask for it). */
  notify = true;

  constructor(
    private readonly connection: Connection,
    private readonly pool: () => CoqPool | undefined,
  ) {
    connection.onRequest(ListWorkersRequest.type, () => ({ workers: this.snapshot() }));
    connection.onRequest(KillWorkerRequest.type, async ({ id }) => ({ killed: (await this.pool()?.killWorker(id)) ?? false }));
  }

  /** Called by the pool on every change; coalesced into one notification. */
  changed(): void {
    if (this.timer || !this.notify) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connection.sendNotification(WorkersNotification.type, { workers: this.snapshot() });
    }, NOTIFY_INTERVAL_MS);
  }

  snapshot(): WorkerInfo[] {
    const workers = this.pool()?.workers() ?? [];
    const memory = groupResidentBytes(workers.map((w) => w.pid).filter((pid) => pid > 0));
    const now = Date.now();
    return workers.map((w) => ({
      id: w.id,
      pid: w.pid,
      state: w.state,
      task: w.task,
      sinceMs: now - w.since,
      rssBytes: memory.get(w.pid) ?? 0,
      tasksDone: w.tasksDone,
    }));
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
