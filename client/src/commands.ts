/** Every command of the extension, in one table. Each says why it cannot act when the server is down. */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

type Command = (ctx: Ctx) => Promise<void>;

const SERVER_DOWN = 'ProofPool: the server is not running. Open a Coq (.v) file to start it, or see the "ProofPool" output for why it stopped.';

async function killWorker(ctx: Ctx): Promise<void> {
  const workers = await ctx.listWorkers();
  if (!workers) {
    void vscode.window.showWarningMessage(SERVER_DOWN);
    return;
  }
  const live = workers.filter((w) => w.pid > 0);
  if (live.length === 0) {
    void vscode.window.showInformationMessage('ProofPool: no worker is running right now.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    live.map((w) => ({
      label: `worker ${w.id}`,
      description: `pid ${w.pid} · ${w.state}`,
      detail: w.task,
      id: w.id,
    })),
    { title: 'ProofPool: Kill Worker', placeHolder: 'The worker is replaced by a fresh one; its proof is checked again.' },
  );
  if (!picked) return;
  if (!(await ctx.killWorker(picked.id))) {
    void vscode.window.showWarningMessage(`ProofPool: worker ${picked.id} had already ended.`);
  }
}

export const commands: Record<string, Command> = {
  'proofpool.killWorker': killWorker,
};
