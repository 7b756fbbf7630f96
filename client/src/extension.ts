/** Wiring only: build the context and its views, register the commands, start the server (if the workspace is trusted). */
import * as vscode from 'vscode';
import { makeApi, ProofPoolApi } from './api';
import { commands } from './commands';
import { offerRestartOnChange } from './config';
import { Ctx } from './ctx';
import { ProofDecorations } from './decorations';
import { WorkerStatusItem } from './status';
import { VisibleRangesReporter } from './visibleRanges';
import { WorkersView } from './workersView';

let ctx: Ctx | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<ProofPoolApi> {
  const current = new Ctx(extension);
  ctx = current;
  const status = new WorkerStatusItem(current);
  const view = new WorkersView(current);
  const decorations = new ProofDecorations(extension, current.pool);
  extension.subscriptions.push(status, view, decorations, new VisibleRangesReporter(current));
  for (const [id, run] of Object.entries(commands)) {
    extension.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => run(current, ...args)));
  }
  extension.subscriptions.push(
    offerRestartOnChange(() => current.restart()),
    // Untrusted, the extension runs in limited mode (no server); trusting the workspace starts it.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void current.start().catch(showStartError)),
  );
  void vscode.commands.executeCommand('setContext', 'proofpool.activated', true);
  try {
    await current.start();
  } catch (error) {
    showStartError(error);
    throw error;
  }
  return makeApi(current, status, view, decorations);
}

function showStartError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  void vscode.window.showErrorMessage(`ProofPool could not start its server: ${message}`, 'Show Output').then((choice) => {
    if (choice) ctx?.output.show(true);
  });
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
