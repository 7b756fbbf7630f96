/** The status bar item: busy/total workers and the active document's proof count; a click offers the worker commands. */
import * as vscode from 'vscode';
import type { CheckFinishedParams, WorkerInfo } from '../../protocol/lsp';

export class WorkerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('proofpool.status', vscode.StatusBarAlignment.Left, 10);
  private workers: WorkerInfo[] = [];
  private readonly finished = new Map<string, CheckFinishedParams>();
  private crashed = false;
  private readonly subscription = vscode.window.onDidChangeActiveTextEditor(() => this.render());

  constructor() {
    this.item.name = 'ProofPool workers';
    this.item.command = 'proofpool.killWorker';
    this.render();
    this.item.show();
  }

  setWorkers(workers: WorkerInfo[]): void {
    this.workers = workers;
    this.render();
  }

  /** A worker ended without being asked: shown in warning colour until the next check finishes. */
  workerCrashed(): void {
    this.crashed = true;
    this.render();
  }

  documentChecked(params: CheckFinishedParams): void {
    this.finished.set(params.uri, params);
    this.crashed = false;
    this.render();
  }

  private render(): void {
    const busy = this.workers.filter((w) => w.state === 'busy').length;
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const done = uri ? this.finished.get(uri) : undefined;
    const proofs = done ? ` · ${done.proofs.checked}/${done.proofs.total}` : '';
    const icon = busy > 0 ? '$(sync~spin)' : done && done.proofs.failed > 0 ? '$(error)' : '$(check)';
    this.item.text = `${icon} ProofPool ${busy}/${this.workers.length} busy${proofs}`;
    this.item.backgroundColor = this.crashed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltip(done);
  }

  private tooltip(done: CheckFinishedParams | undefined): vscode.MarkdownString {
    const lines = this.workers.map(
      (w) => `- worker ${w.id} · pid ${w.pid} · ${w.state}${w.task ? ` · ${w.task}` : ''} · ${Math.round(w.sinceMs / 1000)} s · ${Math.round(w.rssBytes / 2 ** 20)} MB · ${w.tasksDone} tasks`,
    );
    if (done) lines.push('', `${done.proofs.checked} of ${done.proofs.total} proofs checked, ${done.proofs.failed} failed, in ${(done.durationMs / 1000).toFixed(1)} s`);
    lines.push('', 'Click to kill a worker.');
    return new vscode.MarkdownString(lines.join('\n'));
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
