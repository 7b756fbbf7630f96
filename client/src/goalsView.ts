/**
 * ProofPool: Show Goals: the goals at the cursor (proofpool/goals) in a read-only document beside
 * the editor, written as coqtop prints them. While it is open it follows the cursor.
 */
import * as vscode from 'vscode';
import { GoalsRequest, GoalsResult } from '../../protocol/lsp';
import type { Ctx } from './ctx';

const SCHEME = 'proofpool-goals';
const GOALS_URI = vscode.Uri.from({ scheme: SCHEME, path: 'Goals' });
const FOLLOW_MS = 200;

export class GoalsView implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  /** Answers to older cursor positions are dropped. */
  private asked = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor }) => {
        if (textEditor.document.languageId !== 'coq' || !this.isOpen()) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.update(textEditor), FOLLOW_MS);
      }),
    ];
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  /** The goals at the editor's cursor, shown beside it. */
  async show(editor: vscode.TextEditor): Promise<void> {
    await this.update(editor);
    const document = await vscode.workspace.openTextDocument(GOALS_URI);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
  }

  private isOpen(): boolean {
    return vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === GOALS_URI.toString());
  }

  private async update(editor: vscode.TextEditor): Promise<void> {
    const asked = ++this.asked;
    const position = editor.selection.active;
    const where = `${editor.document.uri.path.slice(editor.document.uri.path.lastIndexOf('/') + 1)}:${position.line + 1}:${position.character + 1}`;
    let text: string;
    try {
      const result = await this.ctx.request(GoalsRequest.type, { uri: editor.document.uri.toString(), position: { line: position.line, character: position.character } });
      text = result === undefined ? 'The ProofPool server is not running.' : `${where}\n\n${goalsText(result)}`;
    } catch (error) {
      text = `${where}\n\n${error instanceof Error ? error.message : String(error)}`;
    }
    if (asked !== this.asked) return;
    this.text = text;
    this.changed.fire(GOALS_URI);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function goalsText(result: GoalsResult | null): string {
  if (!result) return 'Not inside a proof.';
  const parts: string[] = [];
  if (result.error) parts.push(`Coq stops before line ${result.error.range.start.line + 1}: ${result.error.message}\nThe goals before it:`);
  const others = [[result.unfocused, 'unfocused'], [result.shelved, 'shelved'], [result.givenUp, 'given up']] as const;
  const counts = others.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ');
  const n = result.goals.length;
  parts.push(`${n === 0 ? 'No focused goal' : n === 1 ? '1 goal' : `${n} goals`}${counts ? ` (${counts})` : ''}`);
  result.goals.forEach((goal, i) => {
    parts.push(`goal ${i + 1}/${n}${goal.name ? ` [${goal.name}]` : ''}\n${[...goal.hypotheses, '============================', goal.conclusion].join('\n')}`);
  });
  return parts.join('\n\n');
}
