/**
 * Document checking: each open document's latest version is checked with the pool; an older
 * version's check is cancelled the moment a newer one arrives, so its verdicts are never published.
 */
import { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { CheckFinishedNotification, ProofStatusNotification } from '../../../protocol/lsp';
import { rootFor } from '../coq/coqProject';
import type { CoqPool } from '../coq/coqPool';
import { DocumentCheck } from '../coq/documentCheck';

/** Typing bursts are checked once they pause for this long. */
const CHANGE_DEBOUNCE_MS = 150;

export class CheckingFeature {
  private readonly checks = new Map<string, DocumentCheck>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private setupError: string | undefined;

  constructor(
    private readonly connection: Connection,
    documents: TextDocuments<TextDocument>,
    private readonly pool: () => CoqPool,
  ) {
    documents.onDidOpen(({ document }) => this.check(document));
    documents.onDidChangeContent(({ document }) => {
      this.cancel(document.uri);
      this.debounce.set(document.uri, setTimeout(() => this.check(document), CHANGE_DEBOUNCE_MS));
    });
    documents.onDidClose(({ document }) => {
      this.cancel(document.uri);
      void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    });
  }

  /** Workers cannot be started: every check ends now with this reason. */
  failSetup(message: string): void {
    this.setupError = message;
    void this.connection.window.showErrorMessage(`ProofPool cannot start Coq workers: ${message}`);
  }

  private cancel(uri: string): void {
    clearTimeout(this.debounce.get(uri));
    this.debounce.delete(uri);
    this.checks.get(uri)?.cancel();
    this.checks.delete(uri);
  }

  private check(document: TextDocument): void {
    this.cancel(document.uri);
    if (!document.uri.startsWith('file:')) return; // Coq needs a folder to run in
    const pool = this.pool();
    const check: DocumentCheck = new DocumentCheck(document, rootFor(fileURLToPath(document.uri)), {
      submit: (task) => pool.submit(task),
      publish: (diagnostics) => {
        if (this.checks.get(document.uri) === check) void this.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
      },
      proofStatus: (proofs) => {
        if (this.checks.get(document.uri) === check) void this.connection.sendNotification(ProofStatusNotification.type, { uri: document.uri, version: document.version, proofs });
      },
      finished: ({ proofs, durationMs }) => {
        if (this.checks.get(document.uri) !== check) return;
        this.checks.delete(document.uri);
        void this.connection.sendNotification(CheckFinishedNotification.type, {
          uri: document.uri,
          version: document.version,
          proofs,
          durationMs,
          workers: pool.size,
          setupError: this.setupError,
        });
      },
    });
    this.checks.set(document.uri, check);
    check.start();
  }
}
