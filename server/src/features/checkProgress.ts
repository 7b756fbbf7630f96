/**
 * `window/workDoneProgress` for each document check: created when the check starts, reporting
 * proofs with a verdict out of all (from the same statuses as proofpool/proofStatus), ended when
 * the check finishes or is cancelled. Cancelling the progress cancels that document's check.
 * Clients that do not announce `window.workDoneProgress` (the CLI) get nothing.
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver';
import type { ProofStatusParams } from '../../../protocol/lsp';
import type { CheckingFeature, CheckListener } from './checking';

interface CheckProgress {
  version: number;
  /** Set once the client has accepted the progress token. */
  reporter?: WorkDoneProgressServerReporter;
  /** What to report, kept until the reporter exists. */
  percentage: number;
  message: string;
  ended: boolean;
}

export class CheckProgressFeature implements CheckListener {
  private readonly progress = new Map<string, CheckProgress>();

  constructor(
    private readonly connection: Connection,
    private readonly checking: CheckingFeature,
  ) {
    checking.onCheck(this);
  }

  started(uri: string, version: number): void {
    const entry: CheckProgress = { version, percentage: 0, message: 'starting', ended: false };
    this.progress.set(uri, entry);
    this.connection.window.createWorkDoneProgress().then(
      (reporter) => {
        // Ended before the client answered: close its side too, so it keeps no progress open.
        if (entry.ended) return reporter.done();
        entry.reporter = reporter;
        reporter.begin(`Checking ${uri.slice(uri.lastIndexOf('/') + 1)}`, entry.percentage, entry.message, true);
        reporter.token.onCancellationRequested(() => {
          if (this.progress.get(uri) === entry) this.checking.cancelChecking(uri);
        });
      },
      () => undefined, // the client refused the token: this check goes without progress
    );
  }

  status({ uri, version, proofs }: ProofStatusParams): void {
    const entry = this.progress.get(uri);
    if (!entry || entry.version !== version) return;
    const done = proofs.filter((p) => p.status === 'checked' || p.status === 'failed' || p.status === 'timedOut').length;
    entry.percentage = proofs.length > 0 ? Math.floor((100 * done) / proofs.length) : 0;
    entry.message = `${done}/${proofs.length} proofs`;
    entry.reporter?.report(entry.percentage, entry.message);
  }

  ended(uri: string, version: number): void {
    const entry = this.progress.get(uri);
    if (!entry || entry.version !== version) return;
    this.progress.delete(uri);
    entry.ended = true;
    entry.reporter?.done();
  }
}
