/** Check Document and Cancel Checking, as requests from the client. */
import type { Connection } from 'vscode-languageserver';
import { CancelCheckingRequest, CheckDocumentRequest } from '../../../protocol/lsp';
import type { CheckingFeature } from './checking';

export class CheckCommandsFeature {
  constructor(connection: Connection, checking: CheckingFeature) {
    connection.onRequest(CheckDocumentRequest.type, ({ uri }) => ({ started: checking.checkNow(uri) }));
    connection.onRequest(CancelCheckingRequest.type, ({ uri }) => ({ cancelled: checking.cancelChecking(uri) }));
  }
}
