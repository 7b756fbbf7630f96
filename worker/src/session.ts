/**
 * One worker's Coq session: a coqidetop and the chain of sentences it has executed (its
 * competence, mirrored by the server), with the Coq state after each. A request rewinds the
 * chain to a common prefix, adds the rest and executes it, pinning a failure to its sentence.
 */
import type { ChainSentence, CheckRequest, CheckResponse, CoqMessage, CoqRoot, CoqWorkerInfo } from '../../protocol/coqTasks';
import { CoqError, CoqIdeTop, CoqResult } from './coqidetop';
import { toProofGoals } from './goals';
import { HeapCompaction } from './heap';
import { Watchdog } from './watchdog';
import { proofUsingSuggestion } from './coqOutput';

interface ChainLink {
  hash: string;
  stateId: number;
}

/**
 * Sentences added before one forced Status. Coq's STM recurses over the states it has still to
 * execute: one Status over ~60,000 added sentences overflows its stack, so a valid document of
 * 100,000 `Check 1.` failed with "Stack overflow." (found by the fuzzer). A Status per 500
 * sentences costs nothing noticeable and keeps far from that depth.
 */
const EXECUTE_BATCH = 500;

/**
 * Adds written before the first is answered. Waiting for each answer leaves coqidetop idle while
 * Node reads it and writes the next: pipelined, a bare coqidetop fed List.v takes 3.1 s instead of
 * 4.1 s (coqc: 3.7 s).
 */
const ADD_WINDOW = 64;

/** Messages kept for states an Add has not named yet (see `early`): an Add that is refused leaves its own behind. */
const MAX_EARLY_MESSAGES = 1000;

export class CoqSession {
  private coq: CoqIdeTop | undefined;
  private rootKey: string | undefined;
  private chain: ChainLink[] = [];
  private readonly compaction = new HeapCompaction();
  /** Receives Coq's messages for the request in flight; undefined between requests. */
  private onMessage: ((message: CoqMessage) => void) | undefined;
  /** The first sentence whose execution failed in this request, from Coq's error message: its chain index and what Coq said. */
  private firstError: { index: number; message: string; loc?: CoqError['loc'] } | undefined;
  /**
   * Messages Coq sent about a state whose Add's answer is not read yet (a Require's warnings while
   * its Add runs; a pipelined Status's errors read in the same chunk as the Adds' answers): they
   * wait for that answer, which names the state (see extend()).
   */
  private early: { stateId: number; level: CoqMessage['level']; message: string; loc?: CoqError['loc'] }[] = [];
  /** The state numbers a pipelined request's Adds are predicted to get (executePipelined), while it runs. */
  private predicted: { from: number; to: number } | undefined;
  /** Coq's `Proof using` suggestion (coqidetop runs with -set "Suggest Proof Using") and the state of the Qed it came with. */
  private suggestion: { stateId: number; sentence: string } | undefined;

  /** What `start` found coqidetopPath to name: a relative path then no longer depends on the folder coqidetop runs in. */
  private program: string;

  constructor(coqidetopPath: string) {
    this.program = coqidetopPath;
  }

  /**
   * Fails early (and clearly) when Coq is missing. coqidetop itself starts with the first request,
   * which brings the flags of its document: starting one now would mean starting it twice.
   */
  async start(): Promise<CoqWorkerInfo> {
    this.program = await CoqIdeTop.locate(this.program);
    return { coqidetop: this.program };
  }

  async check(request: CheckRequest, feedback: (message: CoqMessage) => void, interrupted: AbortSignal): Promise<CheckResponse> {
    const coq = request.root.key === this.rootKey && this.coq ? this.coq : await this.restart(request.root);
    if (request.keep > this.chain.length) throw new Error(`asked to keep ${request.keep} sentences, but this worker holds ${this.chain.length}`);
    await this.rewind(coq, request.keep);
    const stopOnInterrupt = () => coq.interrupt();
    interrupted.addEventListener('abort', stopOnInterrupt);
    this.onMessage = feedback;
    this.firstError = undefined;
    this.early = [];
    this.suggestion = undefined;
    try {
      // A time limit covers the proof's own sentences only, not the skeleton a worker replays to reach it.
      const split = request.timeLimit ? Math.max(0, request.timeLimit.from - request.keep) : request.sentences.length;
      const [prefix, body] = [request.sentences.slice(0, split), request.sentences.slice(split)];
      const pipelined = request.sentences.length <= ADD_WINDOW ? await this.executePipelined(coq, prefix, body, request.keep, interrupted, request.timeLimit?.ms) : 'fallBack';
      const stopped =
        pipelined !== 'fallBack'
          ? pipelined
          : ((await this.execute(coq, prefix, request.keep, interrupted)) ?? (await this.execute(coq, body, request.keep, interrupted, request.timeLimit?.ms)));
      if (stopped) return stopped;
      const response: CheckResponse = { chainLength: this.chain.length };
      const suggestion = this.suggestionFor(this.chain.at(-1)?.stateId);
      if (suggestion) response.proofUsing = suggestion;
      if (request.reportOpenProof) {
        const goals = await coq.goals();
        response.openProof = goals.ok && goals.value !== undefined;
      }
      if (request.goals) {
        const goals = await coq.goals();
        if (!goals.ok) throw new Error(`coqidetop could not give the goals: ${goals.error.message}`);
        response.goals = toProofGoals(goals.value);
      }
      if (request.standIn) this.collapse(request.standIn, response);
      return response;
    } finally {
      interrupted.removeEventListener('abort', stopOnInterrupt);
      this.onMessage = undefined;
    }
  }

  /**
   * A request that fits in one window (a proof and the skeleton sentences before it: most of
   * them) goes to coqidetop in one write: the Adds of the prefix, a Status, the Adds of the body,
   * a Status. Sent one after the other, each waiting for the answer before, they left coqidetop
   * idle four times a proof while the answers travelled (List.v, one worker: ~1.7 s of 6.8 s).
   * The body's time limit starts when the prefix's Status answers: when the prefix has run.
   * Anything unusual (an Add refused or numbered otherwise than predicted: see addAll) undoes the
   * request back to its start and leaves it to the one-step-at-a-time path ('fallBack').
   * Returns the response when the request must end here, like `execute`.
   */
  private async executePipelined(
    coq: CoqIdeTop,
    prefix: ChainSentence[],
    body: ChainSentence[],
    keep: number,
    interrupted: AbortSignal,
    limitMs: number | undefined,
  ): Promise<CheckResponse | undefined | 'fallBack'> {
    const sentences = [...prefix, ...body];
    if (sentences.length === 0) return undefined;
    const start = this.chain.length;
    const first = coq.newestStateId + 1;
    const add = (k: number) => coq.add(sentences[k].text, k === 0 ? this.tip(coq) : first + k - 1);
    // All written in this tick, hence in one write (CoqIdeTop.send).
    const adds = prefix.map((_, k) => add(k));
    const prefixRun = prefix.length > 0 && body.length > 0 ? coq.status(false) : undefined;
    for (let k = prefix.length; k < sentences.length; k++) adds.push(add(k));
    const lastRun = coq.status(false);
    const calls: Promise<unknown>[] = [...adds, prefixRun, lastRun].filter((c) => c !== undefined);
    // If coqidetop dies, the first one awaited throws; the others must not be unhandled rejections.
    for (const call of calls) call.catch(() => undefined);
    this.predicted = { from: first, to: first + sentences.length - 1 };
    // Every call is answered, in order, before anything else is asked of coqidetop.
    const undo = async (): Promise<'fallBack' | CheckResponse> => {
      await this.settleAll(coq, calls, interrupted);
      if (interrupted.aborted) return this.interruptedResponse(coq, keep);
      await this.rewind(coq, start, true);
      this.firstError = undefined;
      this.suggestion = undefined;
      return 'fallBack';
    };
    const landed = async (from: number, to: number): Promise<boolean> => {
      for (let k = from; k < to; k++) {
        const reply = await adds[k];
        if (!reply.ok || reply.value.stateId !== first + k) return false;
        this.extend(sentences[k], reply.value.stateId);
      }
      return true;
    };
    let watchdog: Watchdog | undefined;
    try {
      if (!(await landed(0, prefix.length))) return await undo();
      if (prefixRun) {
        const executed = await prefixRun;
        // An error of the body (run next, its messages may already be read) does not count here.
        const prefixError = this.firstError !== undefined && this.firstError.index < start + prefix.length;
        if (interrupted.aborted || !executed.ok || prefixError) {
          if (!(await landed(prefix.length, sentences.length))) return await undo();
          await this.settleAll(coq, [lastRun], interrupted);
          if (interrupted.aborted) return await this.interruptedResponse(coq, keep);
          if (!prefixError) this.firstError = undefined;
          return await this.executionFailure(coq, executed.ok ? undefined : executed.error);
        }
      }
      if (limitMs !== undefined && body.length > 0) watchdog = new Watchdog(coq, limitMs);
      if (!(await landed(prefix.length, sentences.length))) return await undo();
      return await this.afterRun(coq, () => this.settleAll(coq, [lastRun], interrupted).then(() => lastRun), watchdog, start + prefix.length, keep, interrupted);
    } finally {
      watchdog?.stop();
      this.predicted = undefined;
    }
  }

  /** Waits for these calls in order; a Status among them is interrupted when the request is. */
  private async settleAll(coq: CoqIdeTop, calls: Promise<unknown>[], interrupted: AbortSignal): Promise<void> {
    for (const call of calls) {
      // The call before has been answered: this one is coqidetop's current one.
      if (interrupted.aborted) coq.interrupt();
      await call.catch(() => undefined);
    }
  }

  /**
   * Executes these sentences in batches of EXECUTE_BATCH (see there); returns the response when the
   * request must end here (failure, interrupt, time-out). A time limit applies to each batch.
   */
  private async execute(
    coq: CoqIdeTop,
    sentences: ChainSentence[],
    keep: number,
    interrupted: AbortSignal,
    limitMs?: number,
  ): Promise<CheckResponse | undefined> {
    for (let from = 0; from === 0 || from < sentences.length; from += EXECUTE_BATCH) {
      const stopped = await this.executeBatch(coq, sentences.slice(from, from + EXECUTE_BATCH), keep, interrupted, limitMs);
      if (stopped) return stopped;
    }
    return undefined;
  }

  /**
   * Adds these sentences (adding only parses, and runs what parsing needs, like Require), then
   * executes them with one Status. Not a forced one: forcing makes Coq's STM walk every state of
   * the document twice (join: admitted proofs, error states), which grows with the document
   * (~1 ms a Status at the end of List.v, two per proof: ~15 % of a List.v check). An unforced
   * Status executes the same sentences; a failure Coq tolerated (a failing command, a failing
   * `{ }` block) comes only as the error message it sends for that state (see forward()), so that
   * message is the verdict. Returns the response when the request must end here (failure,
   * interrupt, time-out).
   */
  private async executeBatch(
    coq: CoqIdeTop,
    sentences: ChainSentence[],
    keep: number,
    interrupted: AbortSignal,
    limitMs?: number,
  ): Promise<CheckResponse | undefined> {
    if (sentences.length === 0 || interrupted.aborted) return interrupted.aborted ? this.interruptedResponse(coq, keep) : undefined;
    const start = this.chain.length;
    const parseFailure = await this.addAll(coq, sentences, interrupted);
    const watchdog = limitMs === undefined ? undefined : new Watchdog(coq, limitMs);
    try {
      const stopped = await this.afterRun(coq, () => coq.status(false), watchdog, start, keep, interrupted);
      if (stopped) return stopped;
    } finally {
      watchdog?.stop();
    }
    if (parseFailure) return { chainLength: this.chain.length, failure: parseFailure };
    return undefined;
  }

  /**
   * Waits for the Status that executes the sentences from `start` on (under the watchdog, if
   * any); returns the response when the request must end there: out of time, interrupted, failed.
   */
  private async afterRun(
    coq: CoqIdeTop,
    run: () => Promise<CoqResult<void>>,
    watchdog: Watchdog | undefined,
    start: number,
    keep: number,
    interrupted: AbortSignal,
  ): Promise<CheckResponse | undefined> {
    let executed: CoqResult<void>;
    try {
      executed = await run();
    } catch (error) {
      if (!watchdog?.fired) throw error;
      // It had to be killed: start from scratch next time.
      this.dispose();
      return { chainLength: 0, timedOut: true };
    }
    watchdog?.stop();
    if (watchdog?.fired) {
      await this.rewind(coq, start);
      return { chainLength: start, timedOut: true };
    }
    if (interrupted.aborted) return this.interruptedResponse(coq, keep);
    if (!executed.ok || this.firstError) return this.executionFailure(coq, executed.ok ? undefined : executed.error);
    return undefined;
  }

  /**
   * Adds the sentences to the chain, pipelined (ADD_WINDOW). An Add names the state it goes on top
   * of, which the Add before creates: Coq numbers new states one after another, so the numbers are
   * predicted (the newest number seen, plus one each). Not always: a command inside a proof (a
   * `Definition`, a `Hint`) also makes a state for each open proof. A wrong prediction ends the run:
   * the Adds after it are refused (wrong state), and a new run starts from what Coq said. One Add
   * can land, though (refused ones leave the tip where it was, and the prediction catches up with
   * it): then the whole batch is undone, back to its first state, already executed (so going back
   * runs nothing and cannot fail), and added again one sentence at a time.
   * Returns the failure of an Add that Coq refused (a syntax error), if any.
   */
  private async addAll(coq: CoqIdeTop, sentences: ChainSentence[], interrupted: AbortSignal): Promise<CheckResponse['failure']> {
    const start = this.chain.length;
    let next = 0;
    while (next < sentences.length && !interrupted.aborted) {
      const run = await this.addPredicted(coq, sentences.slice(next), interrupted);
      if (run.strayLanded) {
        await this.rewind(coq, start, true);
        return this.addOneByOne(coq, sentences, interrupted);
      }
      next += run.added;
      if (run.failure) return { ...run.failure, index: this.chain.length };
    }
    return undefined;
  }

  private async addOneByOne(coq: CoqIdeTop, sentences: ChainSentence[], interrupted: AbortSignal): Promise<CheckResponse['failure']> {
    for (const sentence of sentences) {
      if (interrupted.aborted) break;
      const added = await coq.add(sentence.text, this.tip(coq));
      if (!added.ok) return { index: this.chain.length, message: added.error.message, loc: added.error.loc };
      this.extend(sentence, added.value.stateId);
    }
    return undefined;
  }

  /** One pipelined run on top of the chain's tip: how many were added, the failure that stopped it, whether a mispredicted Add landed. */
  private async addPredicted(
    coq: CoqIdeTop,
    sentences: ChainSentence[],
    interrupted: AbortSignal,
  ): Promise<{ added: number; failure?: { message: string; loc?: CoqError['loc'] }; strayLanded?: boolean }> {
    const tip = this.tip(coq);
    const first = coq.newestStateId + 1;
    const replies: Promise<CoqResult<{ stateId: number }>>[] = [];
    for (let added = 0; added < sentences.length; added++) {
      while (replies.length < sentences.length && replies.length - added < ADD_WINDOW && !interrupted.aborted) {
        const k = replies.length;
        replies.push(coq.add(sentences[k].text, k === 0 ? tip : first + k - 1));
      }
      if (added >= replies.length) return { added };
      const reply = await replies[added];
      if (reply.ok && reply.value.stateId === first + added) {
        this.extend(sentences[added], reply.value.stateId);
        continue;
      }
      // Coq took the sentence but numbered it otherwise (it stands), or refused it (a syntax error).
      if (reply.ok) this.extend(sentences[added], reply.value.stateId);
      let strayLanded = false;
      for (const later of replies.slice(added + 1)) if ((await later).ok) strayLanded = true;
      if (strayLanded) return { added: 0, strayLanded };
      return reply.ok ? { added: added + 1 } : { added, failure: { message: reply.error.message, loc: reply.error.loc } };
    }
    return { added: sentences.length };
  }

  private extend(sentence: ChainSentence, stateId: number): void {
    this.chain.push({ hash: sentence.hash, stateId });
    this.compaction.noteAdded();
    if (this.early.length === 0) return;
    const index = this.chain.length - 1;
    for (const m of this.early) if (m.stateId <= stateId) this.deliver(index, m);
    this.early = this.early.filter((m) => m.stateId > stateId);
  }

  private async interruptedResponse(coq: CoqIdeTop, keep: number): Promise<CheckResponse> {
    await this.rewind(coq, keep);
    return { chainLength: this.chain.length, interrupted: true };
  }

  /** The proof's body links become its stand-in's, all at the state after its last sentence. */
  private collapse(standIn: NonNullable<CheckRequest['standIn']>, response: CheckResponse): void {
    const last = this.chain.at(-1)!;
    this.chain.splice(standIn.from, Infinity, ...Array.from({ length: standIn.links }, () => ({ hash: last.hash, stateId: last.stateId })));
    response.chainLength = this.chain.length;
    response.collapsed = true;
  }

  private suggestionFor(stateId: number | undefined): string | undefined {
    return this.suggestion && this.suggestion.stateId === stateId ? this.suggestion.sentence : undefined;
  }

  /**
   * A sentence failed when executed: the first error message Coq sent for a sentence of the chain
   * names it (a Status error can be a later one, or one Coq re-raises for a state it knew had
   * failed: then its safe state names the sentence after). Goes back to just before it.
   */
  private async executionFailure(coq: CoqIdeTop, statusError: CoqError | undefined): Promise<CheckResponse> {
    const first = this.firstError;
    const error = first ?? statusError!;
    let index = first === undefined || first.index >= this.chain.length ? -1 : first.index;
    if (index < 0 && statusError?.safeStateId !== undefined) index = this.chain.findIndex((link) => link.stateId === statusError.safeStateId) + 1;
    if (index < 0) throw new Error(`coqidetop reported an error without saying where: ${error.message}`);
    await this.rewind(coq, index);
    return { chainLength: index, failure: { index, message: error.message, loc: error.loc } };
  }

  /** After a task is answered: compacts coqidetop's heap when rewinds left garbage that new states would pile onto (./heap.ts). */
  compactIfDue(): void {
    if (this.coq) this.compaction.runIfDue(this.coq, this.tip(this.coq));
  }

  /** Its coqidetop died under it (killed from outside, crashed): the states the pool counts on are gone. */
  get lostCoq(): boolean {
    return this.coq !== undefined && !this.coq.alive;
  }

  dispose(): void {
    this.coq?.kill();
    this.coq = undefined;
    this.rootKey = undefined;
    this.chain = [];
  }

  private tip(coq: CoqIdeTop): number {
    return this.chain.at(-1)?.stateId ?? coq.initialStateId;
  }

  /** Back to the state after `keep` links (`always`: even when that is the tip, dropping states beyond it that the chain does not hold). */
  private async rewind(coq: CoqIdeTop, keep: number, always = false): Promise<void> {
    if (keep >= this.chain.length && !always) return;
    const dropped = this.chain.length - keep;
    this.chain.length = keep;
    this.early = []; // about states that are gone (an Add refused or undone): the sentence added again says it again
    const rewound = await coq.editAt(this.tip(coq));
    if (!rewound.ok) throw new Error(`coqidetop could not go back to state ${this.tip(coq)}: ${rewound.error.message}`);
    this.compaction.noteRewind(dropped);
  }

  private async restart(root: CoqRoot): Promise<CoqIdeTop> {
    this.dispose();
    this.chain = [];
    this.rootKey = undefined;
    this.coq = await CoqIdeTop.start({
      path: this.program,
      args: root.args,
      cwd: root.cwd,
      onMessage: (message) => this.forward(message),
      onStderr: (text) => process.stderr.write(text),
    });
    this.rootKey = root.key;
    return this.coq;
  }

  /** Errors come back as the failure of the call; everything else goes to the server, pinned to its sentence. */
  private forward(message: { stateId?: number; level: CoqMessage['level']; message: string; loc?: { start: number; end: number } }): void {
    if (!this.onMessage || message.stateId === undefined) return;
    if (message.level !== 'error') {
      const suggested = proofUsingSuggestion(message.message);
      if (suggested) {
        this.suggestion = { stateId: message.stateId, sentence: suggested };
        return;
      }
    }
    const index = this.linkOf(message.stateId);
    if (index >= 0) this.deliver(index, message);
    else if (this.answerPending(message.stateId, message.level)) this.early.push({ ...message, stateId: message.stateId });
  }

  /**
   * Whether a message about a state not in the chain may be about one whose Add's answer is still
   * unread (see `early`). Not an error, unless a pipelined request predicted that state: an Add
   * that Coq refuses reports an error for a state number it never gives out, which the next Add
   * that lands would otherwise take for its own.
   */
  private answerPending(stateId: number, level: CoqMessage['level']): boolean {
    if (stateId <= (this.chain.at(-1)?.stateId ?? 0) || this.early.length >= MAX_EARLY_MESSAGES) return false;
    return level !== 'error' || (this.predicted !== undefined && stateId >= this.predicted.from && stateId <= this.predicted.to);
  }

  /**
   * A message about chain link `index`. Only an error of a sentence in the chain names the failing
   * one: an Add that Coq refuses (e.g. a nested Lemma) reports an error for a state it never
   * added; taken as the failure, it made an earlier sentence's execution error unplaceable
   * ("coqidetop reported an error without saying where", found by the fuzzer).
   */
  private deliver(index: number, message: { level: CoqMessage['level']; message: string; loc?: CoqError['loc'] }): void {
    if (message.level !== 'error') this.onMessage?.({ index, level: message.level, message: message.message, loc: message.loc });
    else if (this.firstError === undefined) this.firstError = { index, message: message.message, loc: message.loc };
  }

  /**
   * The chain link a state belongs to. A command inside a proof makes two states, one on the main
   * line and the one the Add answers with (numbered next): Coq reports the command's errors on the
   * first. Chain states are numbered in increasing order (new ones always get higher numbers), so
   * a state between two links belongs to the link after it; one before the chain or after its
   * last link (an Add refused or undone) belongs to none.
   */
  private linkOf(stateId: number): number {
    const exact = this.chain.findLastIndex((link) => link.stateId === stateId);
    if (exact >= 0) return exact;
    const after = this.chain.findIndex((link) => link.stateId > stateId);
    return after > 0 ? after : -1;
  }
}
