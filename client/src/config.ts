/** Typed access to the `proofpool.*` settings. */
import * as vscode from 'vscode';

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('proofpool');
}

export const config = {
  /** Worker count; 0 lets the server choose one per CPU. */
  workers: (): number => section().get<number>('workers', 0),
  coqidetopPath: (): string => section().get<string>('coqidetopPath', 'coqidetop.opt'),
  /** Settings that only take effect when the server starts again. */
  restartKeys: ['proofpool.workers', 'proofpool.coqidetopPath'],
};
