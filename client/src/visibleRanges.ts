/**
 * Tells the server where the user looks (proofpool/visibleRanges): the active Coq editor's visible
 * ranges and cursor, after scrolling, moving the cursor or switching editors settles, and again
 * whenever the server (re)starts. The server checks the proofs there first.
 */
import * as vscode from 'vscode';
import { VisibleRangesNotification, VisibleRangesParams } from '../../protocol/lsp';
import type { Ctx } from './ctx';

/** Scrolling and cursor moves come in bursts: the server hears of the last one, this long after it. */
const DEBOUNCE_MS = 150;

export class VisibleRangesReporter implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    const later = () => this.schedule();
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(later),
      vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor }) => textEditor === vscode.window.activeTextEditor && later()),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor }) => textEditor === vscode.window.activeTextEditor && later()),
      ctx.onDidChangeState((state) => state.kind === 'running' && this.send()),
    ];
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(), DEBOUNCE_MS);
  }

  private send(): void {
    this.timer = undefined;
    const params = focusOf(vscode.window.activeTextEditor);
    if (params) this.ctx.notify(VisibleRangesNotification.type, params);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

function focusOf(editor: vscode.TextEditor | undefined): VisibleRangesParams | undefined {
  if (!editor || editor.document.languageId !== 'coq') return undefined;
  const position = (p: vscode.Position) => ({ line: p.line, character: p.character });
  return {
    uri: editor.document.uri.toString(),
    ranges: editor.visibleRanges.map((r) => ({ start: position(r.start), end: position(r.end) })),
    cursor: position(editor.selection.active),
  };
}
