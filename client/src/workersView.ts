/**
 * The Workers view (explorer side bar): one row per worker (pid, state and for how long, memory,
 * tasks done), its current task beneath it; live from proofpool/workers. A row's inline action
 * kills that worker. When no server runs, the view says why.
 */
import * as vscode from 'vscode';
import type { WorkerInfo } from '../../protocol/lsp';
import type { Ctx } from './ctx';
import { duration, memory, stateText } from './workerText';

export const WORKERS_VIEW = 'proofpool.workers';

/** A worker row; commands run from its context menu receive it (see commands.ts, `workerId`). */
export interface WorkerNode {
  kind: 'worker';
  workerId: number;
  worker: WorkerInfo;
}
interface TaskNode {
  kind: 'task';
  worker: WorkerInfo;
}
type Node = WorkerNode | TaskNode;

const ICONS: Record<WorkerInfo['state'], vscode.ThemeIcon> = {
  starting: new vscode.ThemeIcon('loading~spin'),
  idle: new vscode.ThemeIcon('circle-large-outline'),
  busy: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
};

export class WorkersView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(WORKERS_VIEW, { treeDataProvider: this, showCollapseAll: false });
    this.subscriptions = [this.view, ctx.pool.onDidChangeWorkers(() => this.refresh()), ctx.onDidChangeState(() => this.refresh())];
    this.refresh();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.ctx.state.kind === 'running' ? this.ctx.pool.workers.map((worker) => ({ kind: 'worker', workerId: worker.id, worker })) : [];
    return node.kind === 'worker' && node.worker.task ? [{ kind: 'task', worker: node.worker }] : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const w = node.worker;
    const since = this.ctx.pool.sinceMs(w);
    if (node.kind === 'task') {
      const item = new vscode.TreeItem(w.task!, vscode.TreeItemCollapsibleState.None);
      item.id = `worker-${w.id}-task`;
      item.description = `for ${duration(since)}`;
      item.iconPath = new vscode.ThemeIcon('debug-stackframe');
      item.tooltip = `${w.task}, running for ${duration(since)}`;
      return item;
    }
    const item = new vscode.TreeItem(`worker ${w.id}`, w.task ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // A stable id keeps the row (and its expansion) across refreshes.
    item.id = `worker-${w.id}`;
    const pid = w.pid > 0 ? `pid ${w.pid}` : 'no process yet';
    // Short enough for a narrow side bar; memory and tasks done are in the tooltip.
    item.description = `${pid} · ${stateText(w, since)}`;
    item.tooltip = `Worker ${w.id}, ${pid}: ${stateText(w, since)}${w.task ? ` on ${w.task}` : ''}; ${memory(w.rssBytes)} with its coqidetop; ${w.tasksDone} tasks done.`;
    item.iconPath = ICONS[w.state];
    item.contextValue = 'proofpool.worker';
    return item;
  }

  /** The rows as shown (label and description), workers with their task beneath: for tests. */
  rows(): { label: string; description: string; children: string[] }[] {
    return this.getChildren().map((node) => {
      const item = this.getTreeItem(node);
      return {
        label: String(item.label),
        description: String(item.description ?? ''),
        children: this.getChildren(node).map((child) => String(this.getTreeItem(child).label)),
      };
    });
  }

  private refresh(): void {
    const state = this.ctx.state;
    this.view.message =
      state.kind === 'untrusted' ? 'This workspace is not trusted: ProofPool starts no Coq process here.'
      : state.kind === 'starting' ? 'The ProofPool server is starting…'
      : state.kind === 'stopped' ? `The ProofPool server is not running: ${state.reason}. Run "ProofPool: Restart Server" to start it.`
      : this.ctx.pool.workers.length === 0 ? 'No worker yet.'
      : undefined;
    this.changed.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
