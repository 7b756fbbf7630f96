/** Typed access to the `proofpool.*` settings, and which of them need the server restarted. */
import * as vscode from 'vscode';
import type { CheckOn, ProofPoolInitOptions } from '../../protocol/lsp';

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('proofpool');
}

const CHECK_ON: readonly CheckOn[] = ['change', 'save', 'manual'];

export const config = {
  /** Worker count; 0 lets the server choose one per CPU. */
  workers: (): number => section().get<number>('workers', 0),
  coqidetopPath: (): string => section().get<string>('coqidetopPath', 'coqidetop.opt'),
  /** Extra coqidetop arguments, before those of the _CoqProject. */
  coqArgs: (): string[] => section().get<unknown[]>('coqArgs', []).filter((a): a is string => typeof a === 'string'),
  checkOn: (): CheckOn => {
    const value = section().get<CheckOn>('checkOn', 'change');
    return CHECK_ON.includes(value) ? value : 'change';
  },
  /** Seconds; 0: no limit. */
  proofTimeLimit: (): number => section().get<number>('proofTimeLimit', 60),
  /** MiB; 0: no limit. */
  workerMemoryLimit: (): number => section().get<number>('workerMemoryLimit', 0),

  /** What the server is started with (read again at every start, so a restart applies new values). */
  initOptions(): ProofPoolInitOptions {
    return {
      workers: config.workers(),
      coqidetopPath: config.coqidetopPath(),
      coqArgs: config.coqArgs(),
      checkOn: config.checkOn(),
      proofTimeLimitMs: Math.max(0, config.proofTimeLimit()) * 1000,
      workerMemoryLimitBytes: Math.max(0, config.workerMemoryLimit()) * 2 ** 20,
    };
  },

  /** Settings that only take effect when the server starts again (`checkOn` and trace apply at once). */
  restartKeys: [
    'proofpool.workers',
    'proofpool.coqidetopPath',
    'proofpool.coqArgs',
    'proofpool.proofTimeLimit',
    'proofpool.workerMemoryLimit',
  ],
};

/** Calls `restart` when the user accepts to restart the server after a setting that needs it changed. */
export function offerRestartOnChange(restart: () => Promise<void>): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (!config.restartKeys.some((key) => event.affectsConfiguration(key))) return;
    const choice = await vscode.window.showInformationMessage('ProofPool: restart the server to apply the new settings.', 'Restart Now');
    if (choice === 'Restart Now') await restart();
  });
}
