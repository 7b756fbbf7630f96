/**
 * Document checking: each open document's latest version is checked with the pool; an older
 * version's check is cancelled the moment a newer one arrives, so its verdicts are never published.
 * When a check starts depends on `checkOn` (every change, save, or only on request); the user can
 * cancel a check or ask for one (checkCommands.ts), and listeners follow each check (checkProgress.ts).
 */
import { Connection, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { CheckFinishedNotification, CheckOn, ProofStatusNotification, ProofStatusParams } from '../../../protocol/lsp';
import { rootFor } from '../coq/coqProject';
import type { CoqPool } from '../coq/coqPool';
import { DocumentCheck } from '../coq/documentCheck';
import { ResultsCache } from '../coq/resultsCache';

/**
 * Typing bursts are checked once they pause for this long. Short, since unchanged proofs come
 * from the results cache and a newer version cancels the older one's tasks anyway; but long
 * enough that edits arriving faster than this (a paste, a replace-all, fast typing) are checked
 * once, not once each (preparing a version of List.v costs about 12 ms of the server's time).
 */
const CHANGE_DEBOUNCE_MS = 60;

export interface CheckingOptions {
  /** Extra coqidetop arguments, before the _CoqProject flags. */
  coqArgs: string[];
  checkOn: CheckOn;
  /** A proof running longer than this is stopped and reported as timed out; 0: no limit. */
  proofTimeLimitMs?: number;
  /** false: no proofStatus notifications (ProofPoolInitOptions.statusNotifications). */
  statusNotifications?: boolean;
}

/** Follows every check: `started`, then its statuses, then `ended` exactly once (finished or cancelled). */
export interface CheckListener {
  started(uri: string, version: number): void;
  status(params: ProofStatusParams): void;
  ended(uri: string, version: number): void;
}

export class CheckingFeature {
  private readonly checks = new Map<string, DocumentCheck>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  /** Verdicts and goals of earlier tasks, shared by every check and goals query. */
  readonly cache = new ResultsCache();
  /** Each open document's latest check, finished or not (goals queries read the chains it used). */
  private readonly latest = new Map<string, DocumentCheck>();
  /** Goals queries waiting for the check of a document's current version to start (a pause in typing). */
  private readonly startWaiters = new Map<string, (() => void)[]>();
  /** The last proofStatus sent per document, to say what a cancelled check leaves unchecked. */
  private readonly lastStatus = new Map<string, ProofStatusParams>();
  /** Documents whose check could not start because the pool was being replaced. */
  private readonly deferred = new Set<string>();
  private readonly listeners: CheckListener[] = [];
  private setupError: string | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    /** Undefined while the pool is being replaced; `recheck` is called once it is back. */
    private readonly pool: () => CoqPool | undefined,
    private readonly options: CheckingOptions,
  ) {
    documents.onDidOpen(({ document }) => {
      if (this.options.checkOn !== 'manual') this.check(document);
    });
    documents.onDidChangeContent(({ document }) => {
      // A check in progress keeps going on its own snapshot unless the text is checked on change.
      if (this.options.checkOn !== 'change') return;
      // TextDocuments reports an open as a change too: that version's check has just started.
      if (this.latest.get(document.uri)?.version === document.version) return;
      this.cancel(document.uri);
      this.debounce.set(document.uri, setTimeout(() => this.check(document), CHANGE_DEBOUNCE_MS));
    });
    documents.onDidSave(({ document }) => {
      if (this.options.checkOn === 'save') this.check(document);
    });
    documents.onDidClose(({ document }) => {
      this.cancel(document.uri);
      this.latest.delete(document.uri);
      this.lastStatus.delete(document.uri);
      void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    });
  }

  /**
   * The check of the document's current version, running or finished; when one is about to start
   * (after a pause in typing), that one. Undefined when the current version is not being checked
   * (with `checkOn` save or manual, an edited document until it is saved or checked).
   */
  async currentCheck(uri: string): Promise<DocumentCheck | undefined> {
    for (;;) {
      const version = this.documents.get(uri)?.version;
      const check = this.latest.get(uri);
      if (version === undefined) return undefined;
      if (check?.version === version) return check;
      if (!this.debounce.has(uri)) return undefined;
      await new Promise<void>((resolve) => this.startWaiters.set(uri, [...(this.startWaiters.get(uri) ?? []), resolve]));
    }
  }

  /** Wakes the goals queries waiting for this document's check: it started, or the one they waited for will not. */
  private wakeStartWaiters(uri: string): void {
    for (const resolve of this.startWaiters.get(uri) ?? []) resolve();
    this.startWaiters.delete(uri);
  }

  onCheck(listener: CheckListener): void {
    this.listeners.push(listener);
  }

  setCheckOn(checkOn: CheckOn): void {
    this.options.checkOn = checkOn;
  }

  /** Workers cannot be started: every check ends now with this reason. */
  failSetup(message: string): void {
    this.setupError = message;
    void this.connection.window.showErrorMessage(`ProofPool cannot start Coq workers: ${message}`);
  }

  /** Checks the document's current version from scratch; false when it is not open here (or not a file). */
  checkNow(uri: string): boolean {
    const document = this.documents.get(uri);
    if (!document || !document.uri.startsWith('file:')) return false;
    this.check(document);
    return true;
  }

  /**
   * The user's cancel: stops the document's check and tells the client which proofs are left
   * unchecked. False when nothing was being checked (or about to be).
   */
  cancelChecking(uri: string): boolean {
    const running = this.checks.has(uri) || this.debounce.has(uri) || this.deferred.delete(uri);
    if (!running) return false;
    this.cancel(uri);
    const last = this.lastStatus.get(uri);
    if (last) {
      const proofs = last.proofs.map((p) => (p.status === 'queued' || p.status === 'running' ? { ...p, status: 'unchecked' as const } : p));
      this.sendStatus({ ...last, proofs, cancelled: true });
    }
    return true;
  }

  /** Cancels every check (the pool is about to be replaced); returns the documents that were being checked. */
  cancelAll(): string[] {
    const interrupted = new Set([...this.checks.keys(), ...this.debounce.keys(), ...this.deferred]);
    for (const uri of interrupted) this.cancel(uri);
    this.deferred.clear();
    return [...interrupted];
  }

  /** After the pool was replaced: checks these documents again, and every open one unless checking is manual. */
  recheck(uris: string[]): void {
    const wanted = new Set([...uris, ...this.deferred]);
    this.deferred.clear();
    for (const document of this.documents.all()) {
      if (wanted.has(document.uri) || this.options.checkOn !== 'manual') this.check(document);
    }
  }

  private cancel(uri: string): void {
    clearTimeout(this.debounce.get(uri));
    this.debounce.delete(uri);
    this.wakeStartWaiters(uri);
    const check = this.checks.get(uri);
    if (!check) return;
    check.cancel();
    this.checks.delete(uri);
    for (const listener of this.listeners) listener.ended(uri, check.version);
  }

  private sendStatus(params: ProofStatusParams): void {
    this.lastStatus.set(params.uri, params);
    if (this.options.statusNotifications !== false) void this.connection.sendNotification(ProofStatusNotification.type, params);
    for (const listener of this.listeners) listener.status(params);
  }

  private check(live: TextDocument): void {
    this.cancel(live.uri);
    if (!live.uri.startsWith('file:')) return; // Coq needs a folder to run in
    const pool = this.pool();
    if (!pool) {
      this.deferred.add(live.uri);
      return;
    }
    // The check reads its own copy: with checkOn other than `change`, edits may arrive while it runs.
    const document = TextDocument.create(live.uri, live.languageId, live.version, live.getText());
    const uri = document.uri;
    const check: DocumentCheck = new DocumentCheck(document, rootFor(fileURLToPath(uri), this.options.coqArgs), {
      submit: (task) => pool.submit(task),
      cache: this.cache,
      proofTimeLimitMs: this.options.proofTimeLimitMs || undefined,
      publish: (diagnostics) => {
        if (this.checks.get(uri) === check) void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
      },
      proofStatus: (proofs) => {
        if (this.checks.get(uri) === check) this.sendStatus({ uri, version: document.version, proofs });
      },
      finished: ({ proofs, durationMs }) => {
        if (this.checks.get(uri) !== check) return;
        this.checks.delete(uri);
        for (const listener of this.listeners) listener.ended(uri, document.version);
        void this.connection.sendNotification(CheckFinishedNotification.type, {
          uri,
          version: document.version,
          proofs,
          durationMs,
          workers: pool.size,
          setupError: this.setupError,
        });
      },
    });
    this.checks.set(uri, check);
    this.latest.set(uri, check);
    this.wakeStartWaiters(uri);
    for (const listener of this.listeners) listener.started(uri, document.version);
    check.start();
  }
}
