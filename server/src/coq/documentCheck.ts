/**
 * Checks one version of one document with the pool: walks the document building the skeleton,
 * submits one task per delegated proof once its statement is reached and the earlier stand-ins
 * it names have learnt the variables they use where that matters (./sectionUsage.ts,
 * ./proofChains.ts), and ends with a task that walks the whole skeleton once every stand-in has
 * learnt them. Turns the workers' answers into diagnostics and reports exactly once when every
 * task has its verdict.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckFailure, CheckResponse, CoqMessage, CoqRoot } from '../../../protocol/coqTasks';
import type { Position, ProofCounts, ProofStatus, ProofStatusName } from '../../../protocol/lsp';
import type { TaskHandle, TaskOutcome } from '../pool/pool';
import { rootHash, TaskChain } from './chain';
import { goalsCacheKey } from './goalsQuery';
import { GoalsTarget, goalsTarget } from './goalsTarget';
import { Located, toDiagnostic } from './located';
import { notCheckedMessage, RETRIED_REASONS } from './notChecked';
import { ProofChainSpec, ProofChains } from './proofChains';
import type { ProofTask, TaskPlace } from './proofPolicy';
import { Repair, RepairStep } from './repair';
import { findProofs, ProofBlock } from './segments';
import { Sentence, splitSentences } from './sentences';
import type { ResultsCache } from './resultsCache';
import { SectionUsage } from './sectionUsage';
import { Skeleton } from './skeleton';

/** How long the walk over the document runs before it lets other events in (see advance()). */
const WALK_SLICE_MS = 10;

/** A task whose worker died, was killed or passed the memory limit is run again once (on another worker) before its proof is reported. */
const RETRIES_AFTER_DEATH = 1;

export interface DocumentCheckHost {
  submit(task: ProofTask): TaskHandle<CheckResponse>;
  /** Results of earlier checks, shared across versions and documents. */
  cache?: ResultsCache;
  /** A proof whose own sentences run longer than this is stopped and reported as timed out. */
  proofTimeLimitMs?: number;
  publish(diagnostics: Diagnostic[]): void;
  /** Every proof's status, as they change (at most every 100 ms) and once at the end. */
  proofStatus?(proofs: ProofStatus[]): void;
  finished(result: { proofs: ProofCounts; durationMs: number }): void;
}

/** What a delegated proof's own task said; the skeleton's verdict is applied on top (see statusOf). */
type Verdict = 'pending' | 'running' | 'checked' | 'failed' | 'timedOut';

interface TaskSpec extends ProofChainSpec {
  reportOpenProof: boolean;
  label: string;
  /** The delegated proof this task checks; undefined for the task that walks the whole skeleton. */
  proof: number | undefined;
  goals?: boolean;
  /** Set on the tasks that follow a failure inside a delegated proof. */
  repair?: RepairStep;
}

export class DocumentCheck {
  private readonly sentences: Sentence[];
  private readonly proofs: ProofBlock[];
  private readonly verdicts: Verdict[];
  private readonly skeleton: Skeleton;
  /** Delegated proofs by statement sentence. */
  private readonly delegatedAt = new Map<number, number>();
  /** Section variables used per proof in a Section, learnt from the worker that checked it. */
  private readonly usage: SectionUsage;
  private readonly chains: ProofChains;
  /** The next sentence to add to the skeleton. */
  private cursor = 0;
  /** The rest of a walk that paused (see advance()). */
  private walkLater: NodeJS.Immediate | undefined;
  private walkedToEnd = false;
  /** Kept after they settle: cancelling a finished task still cancels the tasks injected after it. */
  private readonly handles = new Set<TaskHandle<CheckResponse>>();
  private readonly repair: Repair;
  /** Called whenever the check goes further (goals queries wait for the proof they ask about). */
  private progressWaiters: (() => void)[] = [];
  private readonly failures = new Map<number, Located>();
  private readonly messages = new Map<string, Located>();
  /** The first skeleton sentence known to fail: nothing after it can be checked, as with coqc. */
  private skeletonError: Located | undefined;
  private pending = 0;
  private cancelled = false;
  private reported = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly document: TextDocument,
    private readonly root: CoqRoot,
    private readonly host: DocumentCheckHost,
  ) {
    this.sentences = splitSentences(document.getText());
    this.proofs = findProofs(this.sentences);
    this.verdicts = this.proofs.map(() => 'pending');
    this.skeleton = new Skeleton(root, this.sentences, this.proofs);
    this.usage = new SectionUsage(this.proofs, this.sentences);
    this.proofs.forEach((proof, index) => proof.delegated && this.delegatedAt.set(proof.statement, index));
    this.repair = new Repair(this.sentences, this.proofs, (sentence) => this.lineOf(sentence));
    this.chains = new ProofChains(root, this.sentences, this.proofs, this.skeleton, this.usage, host.proofTimeLimitMs, host.cache);
  }

  get version(): number {
    return this.document.version;
  }

  start(): void {
    this.advance();
    this.maybeFinish();
  }

  /** The skeleton as it stands (after a finished check: as the last task replayed it), one sentence a line. */
  skeletonText(): string {
    return this.skeleton.links.map((l) => l.text).join('\n');
  }

  /** Stops every task of this version; no verdict or diagnostic is reported after this. */
  cancel(): void {
    this.cancelled = true;
    clearImmediate(this.walkLater);
    for (const handle of this.handles) handle.cancel();
    this.progressed();
  }

  /** Which state a goals query at this position is about, and the chain that reaches it (./goalsTarget.ts). */
  goalsTarget(position: Position): GoalsTarget {
    const { document, root, sentences, proofs, skeletonError, host } = this;
    const over = this.cancelled || this.reported;
    return goalsTarget({ document, root, sentences, proofs, skeleton: this.skeleton.links, attempts: this.repair.all, skeletonError, over, proofTimeLimitMs: host.proofTimeLimitMs }, position);
  }

  /** Resolves once the check has gone further (a proof submitted, a task answered, the check over). */
  waitForProgress(): Promise<void> {
    return new Promise((resolve) => this.progressWaiters.push(resolve));
  }

  private progressed(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Extends the skeleton as far as it can, submitting the tasks it reaches. A long walk (the first
   * one over a big document: ~0.1 s) pauses every WALK_SLICE_MS for the events waiting, so that a
   * worker that has just started gets the first task at once rather than at the end of the walk.
   */
  private advance(): void {
    const sliceEnd = performance.now() + WALK_SLICE_MS;
    while (this.cursor < this.sentences.length && !this.cancelled) {
      if (this.skeletonError && this.cursor > this.skeletonError.sentence) return;
      if (performance.now() > sliceEnd) {
        this.walkLater ??= setImmediate(() => {
          this.walkLater = undefined;
          this.advance();
          this.progressed(); // a goals query may be waiting for the walk to reach its sentence
          this.maybeFinish();
        });
        return;
      }
      const proof = this.delegatedAt.get(this.cursor);
      if (proof !== undefined) {
        this.chains.reach(proof);
        this.submitReady();
        this.cursor = this.proofs[proof].close! + 1;
        continue;
      }
      this.skeleton.appendSentence(this.cursor++);
    }
    // The task that walks the whole skeleton needs every stand-in's final `Proof using`.
    if (this.cursor >= this.sentences.length && !this.walkedToEnd && this.usage.allSettled()) {
      this.walkedToEnd = true;
      this.run({ chain: this.chains.whole(), reportOpenProof: true, label: `${this.fileName()}: the skeleton to the end`, proof: undefined });
    }
  }

  /** Submits, in document order, the waiting proofs whose earlier stand-ins now say what they use. */
  private submitReady(): void {
    for (const index of this.chains.takeReady()) {
      const proof = this.proofs[index];
      const spec: TaskSpec = { chain: undefined!, reportOpenProof: false, label: `${this.fileName()}: ${proof.name} (line ${this.lineOf(proof.statement)})`, proof: index };
      this.buildChain(spec);
      this.progressed();
      this.run(spec);
    }
  }

  private buildChain(spec: TaskSpec): void {
    this.chains.build(spec);
    this.repair.begin(spec.proof!, spec.chain);
  }

  /** A queued proof task follows what the skeleton learns (./proofChains.ts). */
  private refreshed(spec: TaskSpec): TaskChain {
    if (this.chains.refresh(spec)) this.repair.begin(spec.proof!, spec.chain);
    return spec.chain;
  }

  private run(spec: TaskSpec, attempt = 0): void {
    if (spec.proof !== undefined && !spec.repair && spec.builtOn === undefined) this.buildChain(spec); // a retry follows the skeleton again
    const key = this.cacheKey(spec);
    const cached = this.host.cache?.get(key);
    this.pending++;
    if (cached) {
      // Replayed asynchronously, like a task that finished at once: the walk goes on meanwhile.
      queueMicrotask(() => {
        this.pending--;
        if (this.cancelled) return;
        for (const message of cached.messages) this.onMessage(spec.chain, message);
        this.settle(spec, { ok: true, response: cached.response }, attempt);
        // A live task injects what follows it (./repair.ts); a replayed one runs it.
        for (const next of this.repair.followUps(spec, cached.response)) this.run(next);
      });
      return;
    }
    this.handles.add(this.host.submit(this.taskOf(spec, attempt)));
  }

  /** The pool's task for a spec. Its outcome comes back through `settled`, for submitted and injected tasks alike. */
  private taskOf(spec: TaskSpec, attempt: number): ProofTask {
    const messages: CoqMessage[] = [];
    const refreshed = (): TaskChain => this.refreshed(spec);
    return {
      get chain() {
        return refreshed();
      },
      reportOpenProof: spec.reportOpenProof,
      get timeLimit() {
        return spec.timeLimit;
      },
      get standIn() {
        return spec.repair || spec.goals ? undefined : spec.standIn;
      },
      standInChain: (response) => this.chains.standInChain(spec, response),
      goals: spec.goals,
      label: spec.label,
      place: this.placeOf(spec.proof),
      isExpired: () => this.cancelled || this.beyondSkeletonError(spec.chain),
      onMessage: (message) => {
        messages.push(message);
        this.onMessage(spec.chain, message);
      },
      onDispatch: () => {
        refreshed();
        spec.builtOn = undefined; // the worker's chain from now on
        if (spec.proof === undefined || spec.repair) return;
        this.verdicts[spec.proof] = 'running';
        this.publish();
      },
      followUps: (response) => {
        if (this.cancelled) return [];
        const injected: ProofTask[] = [];
        for (const next of this.repair.followUps(spec, response)) {
          if (this.host.cache?.get(this.cacheKey(next))) this.run(next);
          else {
            this.pending++;
            injected.push(this.taskOf(next, 0));
          }
        }
        return injected;
      },
      settled: (outcome) => {
        // What a proof's clean check teaches (its Proof using) frees the proofs waiting for it now,
        // before the pool gives this worker its next task, so that they can be that task.
        if (outcome.ok && spec.proof !== undefined && !spec.repair && !this.cancelled && isClean(outcome.response)) {
          this.chains.settle(spec.proof, outcome.response);
          this.submitReady();
        }
        queueMicrotask(() => {
          this.pending--;
          if (this.cancelled) return;
          // A time-out says how busy the machine was, not what the proof is: it is not remembered.
          if (outcome.ok && !outcome.response.interrupted && !outcome.response.timedOut) this.host.cache?.set(this.cacheKey(spec), { response: outcome.response, messages });
          this.settle(spec, outcome, attempt);
        });
      },
    };
  }

  private placeOf(proof: number | undefined): TaskPlace | undefined {
    if (proof === undefined) return undefined;
    const { statement, close } = this.proofs[proof];
    const line = (offset: number) => this.document.positionAt(offset).line;
    return { uri: this.document.uri, startLine: line(this.sentences[statement].start), endLine: line(this.sentences[close!].end) };
  }

  /** The whole chain identifies a task's result; the questions asked of it are part of the key too. */
  private cacheKey(spec: TaskSpec): string {
    if (spec.goals) return goalsCacheKey(spec.chain);
    if (spec.resultKey !== undefined && !spec.repair) return `${spec.resultKey}\0${spec.reportOpenProof}`;
    const last = spec.chain.length > 0 ? spec.chain.at(spec.chain.length - 1).hash : rootHash(this.root);
    return `${last}\0${spec.reportOpenProof}`;
  }

  private settle(spec: TaskSpec, outcome: TaskOutcome<CheckResponse>, attempt: number): void {
    const final = this.onOutcome(spec, outcome, attempt);
    this.progressed();
    if (final && spec.proof !== undefined && !spec.repair) {
      this.chains.settle(spec.proof, outcome.ok ? outcome.response : undefined);
      this.submitReady();
      this.advance();
    }
    this.maybeFinish();
  }

  /** Records a task's outcome; false when the task was submitted again. */
  private onOutcome(spec: TaskSpec, outcome: TaskOutcome<CheckResponse>, attempt: number): boolean {
    if (!outcome.ok) {
      const reason = outcome.error.reason;
      if (RETRIED_REASONS.has(reason) && attempt < RETRIES_AFTER_DEATH) {
        this.run(spec, attempt + 1);
        return false;
      }
      if (reason === 'cancelled' || reason === 'expired') return true;
      // Without its goals, or past its first failure, a failed proof stays what it was.
      if (spec.repair) return this.onRepairOutcome(spec, undefined);
      const sentence = spec.proof !== undefined ? this.proofs[spec.proof].statement : this.sentences.length - 1;
      const message = notCheckedMessage(outcome.error, spec.proof !== undefined ? this.proofs[spec.proof].name : undefined, attempt + 1);
      this.fail(spec.proof, { sentence, message, severity: DiagnosticSeverity.Error });
      return true;
    }
    const response = outcome.response;
    if (response.interrupted) return true;
    if (spec.repair && (spec.repair.kind === 'goals' || response.timedOut || !response.failure)) return this.onRepairOutcome(spec, response);
    if (response.timedOut && spec.proof !== undefined) {
      const seconds = (spec.timeLimit?.ms ?? 0) / 1000;
      this.failures.set(this.proofs[spec.proof].statement, {
        sentence: this.proofs[spec.proof].statement,
        message: `Timed out: the proof of ${this.proofs[spec.proof].name} ran longer than ${seconds} s and was stopped (setting proofpool.proofTimeLimit).`,
        severity: DiagnosticSeverity.Error,
      });
      this.verdicts[spec.proof] = 'timedOut';
      this.publish();
      return true;
    }
    if (response.failure) this.onFailure(spec, response.failure);
    else if (spec.proof !== undefined) {
      this.verdicts[spec.proof] = 'checked';
      this.publish();
    } else if (response.openProof && this.sentences.length > 0) {
      this.noteSkeletonError({ sentence: this.sentences.length - 1, message: 'The document ends inside a proof: it needs Qed., Defined. or Admitted.', severity: DiagnosticSeverity.Error });
    }
    return true;
  }

  /** The goals before a failure arrived (or could not be had); a resumption that got to the end. */
  private onRepairOutcome(spec: TaskSpec, response: CheckResponse | undefined): boolean {
    if (spec.repair?.kind !== 'goals') return true;
    const failure = this.failures.get(spec.repair.sentence);
    // The first failure at a sentence keeps its goals (a bullet resumed at may fail there again).
    if (!failure || failure.goals !== undefined) return true;
    const goals = response?.goals;
    failure.goals = goals;
    // Qed refused only because goals were given up: no error of its own.
    if (failure.tentative && goals && goals.goals.length + goals.unfocused + goals.shelved === 0) this.failures.delete(spec.repair.sentence);
    else failure.tentative = false;
    this.publish();
    return true;
  }

  private onFailure(spec: TaskSpec, failure: CheckFailure): void {
    const sentence = spec.chain.at(failure.index).sentence;
    const located: Located = { sentence, message: failure.message, loc: failure.loc, severity: DiagnosticSeverity.Error };
    if (this.repair.isResumedClose(spec, sentence)) located.tentative = true;
    // The prefix is skeleton (the statement included); what follows is the proof's own.
    if (failure.index >= spec.chain.prefixLength) this.fail(spec.proof, located);
    else this.noteSkeletonError(located);
  }

  private fail(proof: number | undefined, located: Located): void {
    // The first error at a sentence stays (a resumption may meet it again, or its own recovery there).
    if (!this.failures.has(located.sentence)) this.failures.set(located.sentence, located);
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

  /** Done when no task is pending and the walk is over: it reached the end, or stopped at a skeleton error. */
  private maybeFinish(): void {
    if (this.pending > 0 || this.cancelled || this.reported) return;
    const stopped = this.skeletonError !== undefined && this.cursor > this.skeletonError.sentence;
    if (!this.walkedToEnd && !stopped) return;
    this.reported = true;
    const proofs: ProofCounts = { total: this.proofs.length, checked: 0, failed: 0, timedOut: 0, unchecked: 0 };
    for (let i = 0; i < this.proofs.length; i++) {
      const status = this.statusOf(i);
      if (status === 'checked' || status === 'failed' || status === 'timedOut') proofs[status]++;
      else proofs.unchecked++;
    }
    this.publishNow();
    this.progressed();
    this.host.finished({ proofs, durationMs: Date.now() - this.startedAt });
  }

  /** A proof's status now; once the check is over, nothing is queued or running any more. */
  private statusOf(index: number): ProofStatusName {
    const proof = this.proofs[index];
    const limit = this.skeletonError?.sentence ?? Infinity;
    const close = proof.close ?? this.sentences.length;
    if (limit < proof.statement) return 'unchecked';
    // A failing statement, or a skeleton sentence of a proof checked within the skeleton.
    if (limit <= close && (!proof.delegated || limit === proof.statement)) return 'failed';
    const verdict = proof.delegated ? this.verdicts[index] : this.reported ? 'checked' : 'pending';
    if (verdict === 'pending') return this.reported ? 'unchecked' : 'queued';
    return verdict;
  }

  private publishTimer: NodeJS.Timeout | undefined;

  /** Diagnostics go out as they arrive, at most every 100 ms, and once more at the end. */
  private publish(): void {
    if (this.publishTimer || this.cancelled) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      if (!this.cancelled && !this.reported) this.publishNow();
    }, 100);
  }

  /** Each proof's range, computed once: the statuses go out every 100 ms while the check runs. */
  private proofRanges: ProofStatus['range'][] | undefined;

  private publishNow(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.proofRanges ??= this.proofs.map((proof) => ({
      start: this.document.positionAt(this.sentences[proof.statement].start),
      end: this.document.positionAt(this.sentences[proof.close ?? this.sentences.length - 1].end),
    }));
    const ranges = this.proofRanges;
    this.host.proofStatus?.(this.proofs.map((proof, i) => ({ name: proof.name, range: ranges[i], status: this.statusOf(i) })));
    const limit = this.skeletonError?.sentence ?? Infinity;
    const shown = [...this.failures.values(), ...this.messages.values()].filter((d) => d.sentence < limit && !d.tentative);
    if (this.skeletonError) shown.push(this.skeletonError);
    this.host.publish(shown.sort((a, b) => a.sentence - b.sentence).map((d) => toDiagnostic(this.document, this.sentences, d)));
  }

  private fileName(): string {
    return this.document.uri.slice(this.document.uri.lastIndexOf('/') + 1);
  }

  private lineOf(sentence: number): number {
    return this.document.positionAt(this.sentences[sentence].start).line + 1;
  }
}

/** A check that ran to its end without failing, being stopped or timing out. */
function isClean(response: CheckResponse): boolean {
  return !response.failure && !response.interrupted && !response.timedOut;
}
