/**
 * Checks one version of one document with the pool: builds the skeleton and one task per
 * delegated proof plus one that walks the skeleton to the end, turns the workers' answers into
 * diagnostics, and reports exactly once when every task has its verdict.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckFailure, CheckResponse, CoqMessage, CoqRoot } from '../../../protocol/coqTasks';
import type { ProofCounts } from '../../../protocol/lsp';
import type { TaskHandle, TaskOutcome } from '../pool/pool';
import { ChainLink, link, rootHash, TaskChain } from './chain';
import { byteRangeToOffsets } from './locations';
import type { ProofTask } from './proofPolicy';
import { findProofs, ProofBlock } from './segments';
import { Sentence, splitSentences } from './sentences';

/** A task whose worker died or was killed is run again this many times before its proof is reported. */
const RETRIES_AFTER_DEATH = 2;

export interface DocumentCheckHost {
  submit(task: ProofTask): TaskHandle<CheckResponse>;
  publish(diagnostics: Diagnostic[]): void;
  finished(result: { proofs: ProofCounts; durationMs: number }): void;
}

type Verdict = 'pending' | 'checked' | 'failed' | 'unchecked';

interface Located {
  sentence: number;
  message: string;
  loc?: { start: number; end: number };
  severity: DiagnosticSeverity;
}

export class DocumentCheck {
  private readonly sentences: Sentence[];
  private readonly proofs: ProofBlock[];
  private readonly verdicts: Verdict[];
  private readonly handles = new Set<TaskHandle<CheckResponse>>();
  private readonly failures = new Map<number, Located>();
  private readonly messages = new Map<string, Located>();
  /** The first skeleton sentence known to fail: nothing after it can be checked, as with coqc. */
  private skeletonError: Located | undefined;
  private pending = 0;
  private cancelled = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly document: TextDocument,
    private readonly root: CoqRoot,
    private readonly host: DocumentCheckHost,
  ) {
    this.sentences = splitSentences(document.getText());
    this.proofs = findProofs(this.sentences);
    this.verdicts = this.proofs.map(() => 'pending');
  }

  get version(): number {
    return this.document.version;
  }

  start(): void {
    const { skeleton, statementLinks } = this.buildSkeleton();
    this.proofs.forEach((proof, index) => {
      if (!proof.delegated) return;
      const at = statementLinks.get(proof.statement)!;
      const body = this.range(proof.statement + 1, proof.close! + 1);
      const tail = link(skeleton[at].hash, body);
      this.run({
        chain: new TaskChain(this.root, skeleton, at + 1, tail),
        reportOpenProof: false,
        label: `${this.fileName()}: ${proof.name} (line ${this.lineOf(proof.statement)})`,
        proof: index,
      });
    });
    this.run({
      chain: new TaskChain(this.root, skeleton, skeleton.length),
      reportOpenProof: true,
      label: `${this.fileName()}: sentences outside delegated proofs`,
      proof: undefined,
    });
  }

  /** Stops every task of this version; no verdict or diagnostic is reported after this. */
  cancel(): void {
    this.cancelled = true;
    for (const handle of this.handles) handle.cancel();
  }

  /** Every sentence except delegated proof bodies, each delegated proof closed by `Admitted.` */
  private buildSkeleton(): { skeleton: ChainLink[]; statementLinks: Map<number, number> } {
    const items: { text: string; sentence: number }[] = [];
    const statementLinks = new Map<number, number>();
    const delegated = new Map(this.proofs.filter((p) => p.delegated).map((p) => [p.statement, p]));
    for (let i = 0; i < this.sentences.length; i++) {
      items.push({ text: this.sentences[i].text, sentence: i });
      const proof = delegated.get(i);
      if (proof) {
        statementLinks.set(i, items.length - 1);
        items.push({ text: 'Admitted.', sentence: proof.close! });
        i = proof.close!;
      }
    }
    return { skeleton: link(rootHash(this.root), items), statementLinks };
  }

  private range(from: number, to: number): { text: string; sentence: number }[] {
    return this.sentences.slice(from, to).map((s, i) => ({ text: s.text, sentence: from + i }));
  }

  private run(spec: { chain: TaskChain; reportOpenProof: boolean; label: string; proof: number | undefined }, attempt = 0): void {
    const task: ProofTask = {
      chain: spec.chain,
      reportOpenProof: spec.reportOpenProof,
      label: spec.label,
      isExpired: () => this.cancelled || this.beyondSkeletonError(spec.chain),
      onMessage: (message) => this.onMessage(spec.chain, message),
    };
    const handle = this.host.submit(task);
    this.handles.add(handle);
    this.pending++;
    void handle.done.then((outcome) => {
      this.handles.delete(handle);
      this.pending--;
      if (!this.cancelled) this.onOutcome(spec, outcome, attempt);
      this.maybeFinish();
    });
  }

  private onOutcome(
    spec: { chain: TaskChain; reportOpenProof: boolean; label: string; proof: number | undefined },
    outcome: TaskOutcome<CheckResponse>,
    attempt: number,
  ): void {
    if (!outcome.ok) {
      const reason = outcome.error.reason;
      if ((reason === 'killed' || reason === 'worker-died') && attempt < RETRIES_AFTER_DEATH) {
        this.run(spec, attempt + 1);
        return;
      }
      if (reason === 'cancelled' || reason === 'expired') return;
      const sentence = spec.proof !== undefined ? this.proofs[spec.proof].statement : this.sentences.length - 1;
      this.fail(spec.proof, { sentence, message: `Not checked: ${outcome.error.message}`, severity: DiagnosticSeverity.Error });
      return;
    }
    const response = outcome.response;
    if (response.interrupted) return;
    if (response.failure) this.onFailure(spec, response.failure);
    else if (spec.proof !== undefined) this.verdicts[spec.proof] = 'checked';
    else if (response.openProof && this.sentences.length > 0) {
      const last = this.sentences.length - 1;
      this.noteSkeletonError({ sentence: last, message: 'The document ends inside a proof: it needs Qed., Defined. or Admitted.', severity: DiagnosticSeverity.Error });
    }
  }

  private onFailure(spec: { chain: TaskChain; proof: number | undefined }, failure: CheckFailure): void {
    const sentence = spec.chain.at(failure.index).sentence;
    const located = { sentence, message: failure.message, loc: failure.loc, severity: DiagnosticSeverity.Error };
    // The prefix is skeleton (the statement included); what follows is the proof's own.
    if (failure.index >= spec.chain.prefixLength) this.fail(spec.proof, located);
    else this.noteSkeletonError(located);
  }

  private fail(proof: number | undefined, located: Located): void {
    this.failures.set(located.sentence, located);
    if (proof !== undefined) this.verdicts[proof] = 'failed';
    this.publish();
  }

  private noteSkeletonError(located: Located): void {
    if (this.skeletonError && this.skeletonError.sentence <= located.sentence) return;
    // Queued tasks that start beyond it could only fail the same way: they expire when dispatched.
    this.skeletonError = located;
    this.publish();
  }

  private beyondSkeletonError(chain: TaskChain): boolean {
    if (!this.skeletonError) return false;
    const lastPrefix = chain.prefixLength > 0 ? chain.at(chain.prefixLength - 1).sentence : -1;
    return lastPrefix >= this.skeletonError.sentence;
  }

  private onMessage(chain: TaskChain, message: CoqMessage): void {
    if (this.cancelled || message.index >= chain.length) return;
    // Info and debug messages ("foo is defined") are chatter coqc does not print either.
    if (message.level === 'info' || message.level === 'debug') return;
    const sentence = chain.at(message.index).sentence;
    const severity = message.level === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
    this.messages.set(`${sentence}\0${message.message}`, { sentence, message: message.message, loc: message.loc, severity });
  }

  private maybeFinish(): void {
    if (this.pending > 0 || this.cancelled) return;
    const limit = this.skeletonError?.sentence ?? Infinity;
    const proofs: ProofCounts = { total: this.proofs.length, checked: 0, failed: 0, timedOut: 0, unchecked: 0 };
    this.proofs.forEach((proof, i) => {
      let verdict = this.verdicts[i];
      const close = proof.close ?? this.sentences.length;
      if (limit < proof.statement) verdict = 'unchecked';
      else if (limit <= close && (!proof.delegated || limit === proof.statement)) verdict = 'failed';
      else if (!proof.delegated) verdict = 'checked';
      else if (verdict === 'pending') verdict = 'unchecked';
      if (verdict === 'checked') proofs.checked++;
      else if (verdict === 'failed') proofs.failed++;
      else proofs.unchecked++;
    });
    this.publishNow();
    this.host.finished({ proofs, durationMs: Date.now() - this.startedAt });
  }

  private publishTimer: NodeJS.Timeout | undefined;

  /** Diagnostics go out as they arrive, at most every 100 ms, and once more at the end. */
  private publish(): void {
    if (this.publishTimer || this.cancelled) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      if (!this.cancelled && this.pending > 0) this.publishNow();
    }, 100);
  }

  private publishNow(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const limit = this.skeletonError?.sentence ?? Infinity;
    const shown = [...this.failures.values(), ...this.messages.values()].filter((d) => d.sentence < limit);
    if (this.skeletonError) shown.push(this.skeletonError);
    this.host.publish(shown.sort((a, b) => a.sentence - b.sentence).map((d) => this.toDiagnostic(d)));
  }

  private toDiagnostic(located: Located): Diagnostic {
    const sentence = this.sentences[located.sentence];
    const [start, end] = located.loc ? byteRangeToOffsets(sentence.text, located.loc, sentence.start) : [sentence.start, sentence.end];
    return {
      range: { start: this.document.positionAt(start), end: this.document.positionAt(end) },
      severity: located.severity,
      source: 'coq',
      message: located.message,
    };
  }

  private fileName(): string {
    return this.document.uri.slice(this.document.uri.lastIndexOf('/') + 1);
  }

  private lineOf(sentence: number): number {
    return this.document.positionAt(this.sentences[sentence].start).line + 1;
  }
}
