/**
 * Every command of the extension, in one table (titles and the `ProofPool` category are in
 * package.json). When the server cannot act, each says why and offers the remedy, or starts it.
 */
import * as vscode from 'vscode';
import {
  CancelCheckingRequest,
  CheckDocumentRequest,
  KillAllWorkersRequest,
  KillWorkerRequest,
  ListWorkersRequest,
  RestartWorkersRequest,
} from '../../protocol/lsp';
import { config } from './config';
import type { Ctx } from './ctx';
import { stateText } from './workerText';

type Command = (ctx: Ctx, ...args: unknown[]) => Promise<void>;

const UNTRUSTED = 'ProofPool runs no Coq process in an untrusted workspace (Coq can load native plugins). Trust the workspace to check Coq documents.';

/**
 * True when the server runs; otherwise says why, with a button for the remedy. The choice is not
 * awaited: a command must not stay pending until a notification is dismissed.
 */
function serverUp(ctx: Ctx): boolean {
  const state = ctx.state;
  switch (state.kind) {
    case 'running':
      return true;
    case 'untrusted':
      offer(vscode.window.showWarningMessage(UNTRUSTED, 'Manage Workspace Trust'), { 'Manage Workspace Trust': () => vscode.commands.executeCommand('workbench.trust.manage') });
      return false;
    case 'starting':
      void vscode.window.showInformationMessage('ProofPool: the server is still starting; try again in a moment.');
      return false;
    case 'stopped':
      offer(vscode.window.showWarningMessage(`ProofPool: the server is not running (${state.reason}).`, 'Start Server', 'Show Output'), {
        'Start Server': () => ctx.restart(),
        'Show Output': async () => ctx.output.show(true),
      });
      return false;
  }
}

function offer(choice: Thenable<string | undefined>, actions: Record<string, () => Thenable<unknown>>): void {
  void Promise.resolve(choice).then((picked) => (picked ? actions[picked]?.() : undefined));
}

/** The Coq document a command acts on: the one it was given (a URI, from a menu), else the active editor's. */
function coqDocument(arg: unknown): vscode.TextDocument | undefined {
  const uri = arg instanceof vscode.Uri ? arg.toString() : undefined;
  const document = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) : vscode.window.activeTextEditor?.document;
  if (document?.languageId === 'coq') return document;
  void vscode.window.showWarningMessage('ProofPool: open a Coq (.v) document first.');
  return undefined;
}

const fileName = (document: vscode.TextDocument) => document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1);

/** A worker id from a Workers view row ({ workerId }) or a number; undefined: ask with a quick pick. */
function workerIdOf(arg: unknown): number | undefined {
  if (typeof arg === 'number') return arg;
  const id = (arg as { workerId?: unknown } | undefined)?.workerId;
  return typeof id === 'number' ? id : undefined;
}

async function killWorker(ctx: Ctx, arg?: unknown): Promise<void> {
  if (!serverUp(ctx)) return;
  let id = workerIdOf(arg);
  if (id === undefined) {
    const workers = (await ctx.request(ListWorkersRequest.type))?.workers ?? [];
    const live = workers.filter((w) => w.pid > 0);
    if (live.length === 0) {
      void vscode.window.showInformationMessage('ProofPool: no worker is running right now.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      live.map((w) => ({ label: `worker ${w.id}`, description: `pid ${w.pid} · ${stateText(w, w.sinceMs)}`, detail: w.task, id: w.id })),
      { title: 'ProofPool: Kill Worker', placeHolder: 'The worker is replaced by a fresh one; its proof is checked again.' },
    );
    if (!picked) return;
    id = picked.id;
  }
  const pid = ctx.pool.workers.find((w) => w.id === id)?.pid;
  if (pid) ctx.pool.expectExit([pid]);
  if (!(await ctx.request(KillWorkerRequest.type, { id }))?.killed) {
    void vscode.window.showWarningMessage(`ProofPool: worker ${id} had already ended.`);
  }
}

async function killAllWorkers(ctx: Ctx): Promise<void> {
  if (!serverUp(ctx)) return;
  ctx.pool.expectExit(ctx.pool.workers.map((w) => w.pid));
  const result = await ctx.request(KillAllWorkersRequest.type);
  if (result?.killed === 0) void vscode.window.showInformationMessage('ProofPool: no worker is running right now.');
}

async function restartWorkers(ctx: Ctx): Promise<void> {
  // A stopped server comes back with fresh workers: that is what was asked for.
  if (ctx.state.kind === 'stopped') return ctx.restart();
  if (!serverUp(ctx)) return;
  ctx.pool.expectExit(ctx.pool.workers.map((w) => w.pid));
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the ProofPool workers' }, () =>
    ctx.request(RestartWorkersRequest.type),
  );
}

async function restartServer(ctx: Ctx): Promise<void> {
  if (ctx.state.kind === 'untrusted') {
    serverUp(ctx);
    return;
  }
  await ctx.restart();
}

async function checkDocument(ctx: Ctx, arg?: unknown): Promise<void> {
  const document = coqDocument(arg);
  if (!document) return;
  if (ctx.state.kind === 'stopped') {
    await ctx.restart();
    // A fresh server checks the open documents by itself, unless checking is manual.
    if (config.checkOn() !== 'manual') return;
  }
  if (!serverUp(ctx)) return;
  const result = await ctx.request(CheckDocumentRequest.type, { uri: document.uri.toString() });
  if (result && !result.started) void vscode.window.showWarningMessage(`ProofPool cannot check ${fileName(document)}: only files on disk can be checked.`);
}

async function cancelChecking(ctx: Ctx, arg?: unknown): Promise<void> {
  const document = coqDocument(arg);
  if (!document || !serverUp(ctx)) return;
  const result = await ctx.request(CancelCheckingRequest.type, { uri: document.uri.toString() });
  if (result && !result.cancelled) void vscode.window.showInformationMessage(`ProofPool: ${fileName(document)} is not being checked.`);
}

async function showGoals(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!coqDocument(editor?.document.uri) || !editor || !serverUp(ctx)) return;
  await ctx.goals.show(editor);
}

async function showOutput(ctx: Ctx): Promise<void> {
  ctx.output.show(true);
}

export const commands: Record<string, Command> = {
  'proofpool.killWorker': killWorker,
  'proofpool.killAllWorkers': killAllWorkers,
  'proofpool.restartWorkers': restartWorkers,
  'proofpool.restartServer': restartServer,
  'proofpool.checkDocument': checkDocument,
  'proofpool.cancelChecking': cancelChecking,
  'proofpool.showGoals': showGoals,
  'proofpool.showOutput': showOutput,
};
