/** What the in-host tests share: the extension's API, the workspace's documents, waiting, and our processes. */
import * as vscode from 'vscode';
import type { ProofPoolApi } from '../../client/src/api';
import { alive, commandLine, MARKER_NAME, processesWithTag, waitFor } from '../support/processes';

export { waitFor };

export const EXTENSION_ID = 'proofpool.proofpool';

export async function proofpool(): Promise<ProofPoolApi> {
  const extension = vscode.extensions.getExtension<ProofPoolApi>(EXTENSION_ID);
  if (!extension) throw new Error(`the extension ${EXTENSION_ID} is not installed in this VS Code`);
  return extension.activate();
}

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a folder open (a copy of examples/ with slow.v)');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(name));
  return vscode.window.showTextDocument(document);
}

export function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

/** The gutter icon on each proof's first line, as "line:status" (1-based lines, as a person reads them). */
export function gutter(api: ProofPoolApi, uri: vscode.Uri): string[] {
  return api.gutter(uri.toString()).map((m) => `${m.line + 1}:${m.status}`);
}

/** The status bar text without its codicon. */
export function statusText(api: ProofPoolApi): string {
  return api.statusBar().text.replace(/\$\([^)]*\)\s*/g, '');
}


/** Processes of this test run (they carry the marker the outer test gave code-server) running `dist/<name>.js`. */
export function ourProcesses(name: 'server' | 'worker'): number[] {
  const tag = process.env[MARKER_NAME];
  if (!tag) throw new Error(`${MARKER_NAME} is not set: the outer test marks every process it starts`);
  return processesWithTag(tag).filter((pid) => commandLine(pid).includes(`dist/${name}.js`));
}

/** Waits until the pool has `count` workers with a process, none of them in `not`; returns them. */
export function liveWorkers(api: ProofPoolApi, count: number, not: number[] = [], timeoutMs = 60_000) {
  return waitFor(() => {
    const ws = api.workers();
    return ws.length === count && ws.every((w) => w.pid > 0 && !not.includes(w.pid) && alive(w.pid)) && ws;
  }, `${count} live workers${not.length ? `, none of ${not.join(', ')}` : ''}`, timeoutMs);
}
