/**
 * Proof-status gutter icons: on each proof's first line, an icon for queued, running, checked,
 * failed, timed out or unchecked, from proofpool/proofStatus. Light and dark themes get their own
 * SVGs (media/gutter/, shipped in the .vsix); failures are also marked in the overview ruler.
 */
import * as vscode from 'vscode';
import type { ProofStatusName } from '../../protocol/lsp';
import type { PoolState } from './poolState';

const STATUSES: readonly ProofStatusName[] = ['queued', 'running', 'checked', 'failed', 'timedOut', 'unchecked'];

const LABELS: Record<ProofStatusName, string> = {
  queued: 'waiting for a worker',
  running: 'being checked',
  checked: 'checked',
  failed: 'failed',
  timedOut: 'timed out',
  unchecked: 'not checked',
};

export interface GutterMark {
  line: number;
  status: ProofStatusName;
}

export class ProofDecorations implements vscode.Disposable {
  private readonly types = new Map<ProofStatusName, vscode.TextEditorDecorationType>();
  /** What each document's editors show, for tests. */
  private readonly shown = new Map<string, GutterMark[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(extension: vscode.ExtensionContext, private readonly pool: PoolState) {
    const icon = (status: ProofStatusName, theme: 'light' | 'dark') => vscode.Uri.joinPath(extension.extensionUri, 'media', 'gutter', `${status}-${theme}.svg`);
    for (const status of STATUSES) {
      const failure = status === 'failed' || status === 'timedOut';
      this.types.set(status, vscode.window.createTextEditorDecorationType({
        light: { gutterIconPath: icon(status, 'light') },
        dark: { gutterIconPath: icon(status, 'dark') },
        gutterIconSize: 'contain',
        overviewRulerColor: failure ? new vscode.ThemeColor('editorOverviewRuler.errorForeground') : undefined,
        overviewRulerLane: failure ? vscode.OverviewRulerLane.Left : undefined,
      }));
    }
    this.subscriptions = [
      pool.onDidChangeProofs((uri) => this.renderDocument(uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.render(e))),
    ];
    vscode.window.visibleTextEditors.forEach((e) => this.render(e));
  }

  marks(uri: string): GutterMark[] {
    return this.shown.get(uri) ?? [];
  }

  private renderDocument(uri: string): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === uri) this.render(editor);
  }

  private render(editor: vscode.TextEditor): void {
    const uri = editor.document.uri.toString();
    const proofs = this.pool.proofStatuses(uri)?.proofs ?? [];
    for (const [status, type] of this.types) {
      const ranges = proofs.filter((p) => p.status === status).map((p): vscode.DecorationOptions => {
        const line = p.range.start.line;
        return {
          range: new vscode.Range(line, p.range.start.character, line, Number.MAX_SAFE_INTEGER),
          hoverMessage: `ProofPool: ${p.name} ${LABELS[status]}`,
        };
      });
      editor.setDecorations(type, ranges);
    }
    this.shown.set(uri, proofs.map((p) => ({ line: p.range.start.line, status: p.status })));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const type of this.types.values()) type.dispose();
  }
}
