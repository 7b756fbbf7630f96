/** Wiring only: build the context, register the commands, start the server. */
import * as vscode from 'vscode';
import { commands } from './commands';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  const current = new Ctx(extension);
  ctx = current;
  for (const [id, run] of Object.entries(commands)) {
    extension.subscriptions.push(vscode.commands.registerCommand(id, () => run(current)));
  }
  try {
    await current.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`ProofPool could not start its server: ${message}`);
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
