/**
 * The status bar item: busy/total workers and the active document's progress (`2/2 busy · 120/331`),
 * live from the server's statuses; spinning while checking, warning colour after a worker crash.
 * When no server runs it says why (untrusted workspace, stopped) and a click offers the remedy.
 */
import * as vscode from 'vscode';
import type { Ctx, ServerState } from './ctx';
import { describeWorker } from './workerText';

export class WorkerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('proofpool.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'ProofPool workers';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      ctx.onDidChangeState(() => this.render()),
      ctx.pool.onDidChangeWorkers(() => this.render()),
      ctx.pool.onDidChangeProofs((uri) => uri === this.activeUri() && this.render()),
    ];
    this.render();
    this.item.show();
  }

  /** What the item shows now (for tests and the extension's API). */
  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  }

  get warning(): boolean {
    return this.item.backgroundColor !== undefined;
  }

  private activeUri(): string | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'coq' ? document.uri.toString() : undefined;
  }

  private render(): void {
    const state = this.ctx.state;
    if (state.kind !== 'running') return this.renderDown(state);
    const pool = this.ctx.pool;
    const workers = pool.workers;
    const busy = workers.filter((w) => w.state === 'busy').length;
    const uri = this.activeUri();
    const progress = uri ? pool.progress(uri) : undefined;
    const checking = busy > 0 || progress?.checking === true;
    const icon = checking ? '$(sync~spin)'
      : progress && progress.failed + progress.timedOut > 0 ? '$(error)'
      : progress?.cancelled ? '$(circle-slash)'
      : '$(check)';
    let text = `${icon} ProofPool ${busy}/${workers.length} busy`;
    if (progress) text += ` · ${progress.done}/${progress.total}${progress.cancelled ? ' · cancelled' : ''}`;
    this.item.text = text;
    this.item.command = 'proofpool.killWorker';
    this.item.backgroundColor = pool.crashed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.runningTooltip(uri);
  }

  private runningTooltip(uri: string | undefined): vscode.MarkdownString {
    const pool = this.ctx.pool;
    const lines = pool.workers.length > 0 ? pool.workers.map((w) => `- ${describeWorker(w, pool.sinceMs(w))}`) : ['No worker yet.'];
    const progress = uri ? pool.progress(uri) : undefined;
    if (progress) {
      const parts = [`${progress.done} of ${progress.total} proofs done`];
      if (progress.failed > 0) parts.push(`${progress.failed} failed`);
      if (progress.timedOut > 0) parts.push(`${progress.timedOut} timed out`);
      if (progress.checking) parts.push('checking');
      if (progress.cancelled) parts.push('cancelled');
      const verdict = pool.verdict(uri!);
      if (verdict && !progress.checking && !progress.cancelled) parts.push(`in ${(verdict.durationMs / 1000).toFixed(1)} s`);
      lines.push('', parts.join(', '));
    }
    if (pool.crashed) lines.push('', `A worker crashed at ${pool.crashed.toLocaleTimeString()}; a fresh one took its place. The "ProofPool" output says why.`);
    lines.push('', 'Click to kill a worker.');
    return new vscode.MarkdownString(lines.join('\n'));
  }

  private renderDown(state: Exclude<ServerState, { kind: 'running' }>): void {
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'untrusted':
        this.item.text = '$(shield) ProofPool: restricted';
        this.item.tooltip = 'This workspace is not trusted, so ProofPool starts no Coq process (Coq can load native plugins). Click to manage Workspace Trust.';
        this.item.command = 'workbench.trust.manage';
        return;
      case 'starting':
        this.item.text = '$(loading~spin) ProofPool: starting';
        this.item.tooltip = 'The ProofPool server is starting.';
        this.item.command = 'proofpool.showOutput';
        return;
      case 'stopped':
        this.item.text = '$(debug-disconnect) ProofPool: stopped';
        this.item.tooltip = `The ProofPool server is not running: ${state.reason}. Click to start it.`;
        this.item.command = 'proofpool.restartServer';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        return;
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
