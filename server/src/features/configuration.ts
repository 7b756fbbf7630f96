/**
 * Settings that apply without a restart, from `workspace/didChangeConfiguration` (the VS Code
 * client sends the `proofpool` section on every change).
 */
import type { Connection } from 'vscode-languageserver';
import type { CheckOn } from '../../../protocol/lsp';
import type { CheckingFeature } from './checking';

const CHECK_ON: readonly CheckOn[] = ['change', 'save', 'manual'];

export class ConfigurationFeature {
  constructor(connection: Connection, checking: CheckingFeature) {
    connection.onDidChangeConfiguration(({ settings }) => {
      const checkOn = (settings as { proofpool?: { checkOn?: unknown } } | undefined)?.proofpool?.checkOn;
      if (CHECK_ON.includes(checkOn as CheckOn)) checking.setCheckOn(checkOn as CheckOn);
    });
  }
}
