/**
 * proofpool/goals: the goals at a position inside a proof, computed on the chain the document's
 * check uses to reach that state (../coq/goalsTarget.ts), by a goals task that the pool gives to a
 * worker holding that state when one does (../coq/goalsQuery.ts). Goals queries go before every
 * check in the queue (../coq/taskOrder.ts).
 */
import { CancellationToken, Connection, LSPErrorCodes, ResponseError, ErrorCodes, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { GoalsRequest, GoalsParams, GoalsResult } from '../../../protocol/lsp';
import type { CoqPool } from '../coq/coqPool';
import { fetchGoals, GoalsUnavailableError } from '../coq/goalsQuery';
import type { CheckingFeature } from './checking';

export class GoalsFeature {
  constructor(
    connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly checking: CheckingFeature,
    private readonly pool: () => CoqPool | undefined,
  ) {
    connection.onRequest(GoalsRequest.type, (params, token) => this.goals(params, token));
  }

  private async goals({ uri, position }: GoalsParams, token: CancellationToken): Promise<GoalsResult | null> {
    const document = this.documents.get(uri);
    if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `ProofPool does not have ${uri} open: open the document first.`);
    const name = uri.slice(uri.lastIndexOf('/') + 1);
    const check = await this.checking.currentCheck(uri);
    if (!check) throw new ResponseError(ErrorCodes.InvalidRequest, `${name} has changed since it was last checked: save it, or run ProofPool: Check Document, then ask again.`);
    let target = check.goalsTarget(position);
    const cancelled = new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
    while (target.kind === 'pending' && !token.isCancellationRequested) {
      await Promise.race([check.waitForProgress(), cancelled]);
      target = check.goalsTarget(position);
    }
    if (this.documents.get(uri)?.version !== check.version) throw new ResponseError(LSPErrorCodes.ContentModified, `${name} changed while its goals were asked for.`);
    if (target.kind === 'pending') throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (target.kind === 'outside') return null;
    if (target.kind === 'unreachable') throw new ResponseError(ErrorCodes.InvalidRequest, target.message);
    const pool = this.pool();
    if (!pool) throw new ResponseError(ErrorCodes.InvalidRequest, 'The ProofPool workers are restarting: ask again in a moment.');
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    try {
      const line = target.range.start.line + 1;
      const answer = await fetchGoals({ submit: (task) => pool.submit(task), cache: this.checking.cache }, target.chain, {
        label: `${name}: goals at line ${line}`,
        place: target.place,
        timeLimit: target.timeLimit,
        signal: abort.signal,
      });
      const goals = answer.goals ?? { goals: [], unfocused: 0, shelved: 0, givenUp: 0 };
      const result: GoalsResult = { range: target.range, ...goals };
      if (target.failure) result.error = target.failure;
      else if (answer.failure) result.error = { message: answer.failure.message, range: target.rangeOfLink(answer.failure.index) };
      return result;
    } catch (error) {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      if (error instanceof GoalsUnavailableError) throw new ResponseError(ErrorCodes.InternalError, error.message);
      throw error;
    } finally {
      subscription.dispose();
    }
  }
}
