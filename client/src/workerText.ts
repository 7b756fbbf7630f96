/** How a worker is described to a person, the same way in the tooltip, the Workers view and the quick pick. */
import type { WorkerInfo } from '../../protocol/lsp';

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function memory(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}

/** "busy for 4 s", "idle", "starting": how long matters only for the task at hand (and only then does the text tick). */
export function stateText(worker: WorkerInfo, sinceMs: number): string {
  return worker.state === 'busy' ? `busy for ${duration(sinceMs)}` : worker.state;
}

/** "worker 1 · pid 42 · busy for 4 s · List.v: app_nil_r (line 120) · 310 MB · 12 tasks done" */
export function describeWorker(worker: WorkerInfo, sinceMs: number): string {
  const parts = [`worker ${worker.id}`, worker.pid > 0 ? `pid ${worker.pid}` : 'no process yet', stateText(worker, sinceMs)];
  if (worker.task) parts.push(worker.task);
  parts.push(memory(worker.rssBytes), `${worker.tasksDone} tasks done`);
  return parts.join(' · ');
}
