/**
 * One coqidetop process spoken to over Coq's XML protocol (see ./coqXml.ts). coqidetop reads
 * calls one after another and answers each before reading the next, so a call is written at once
 * and several may be in flight (the session pipelines Adds): answers are matched to calls in
 * order. `<feedback>` arriving in between is decoded and handed to `onMessage`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { noteCall } from './callProfile';
import * as X from './coqXml';

export type { CoqGoal, CoqGoals } from './coqXml';

export interface CoqLocation {
  start: number;
  end: number;
} // UTF-8 byte offsets as Coq gives them, relative to the sentence when bp=0 is passed
export interface CoqError {
  message: string;
  loc?: CoqLocation;
  /** state to go back to, when Coq names one */
  safeStateId?: number;
  /** The call was stopped by interrupt() (Coq's "User interrupt."). */
  interrupted?: boolean;
}
export interface CoqFeedbackMessage {
  stateId?: number;
  level: X.CoqMessageLevel;
  message: string;
  loc?: CoqLocation;
}
export type CoqResult<T> = { ok: true; value: T } | { ok: false; error: CoqError };
export interface CoqIdeTopOptions {
  path?: string /* default 'coqidetop.opt' */;
  args?: string[] /* extra flags like -Q . Test */;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onMessage?: (m: CoqFeedbackMessage) => void;
  /** Also receives, prefixed, any non-XML text coqidetop writes to stdout. */
  onStderr?: (text: string) => void;
  /** start() gives up (and kills the process) when Init is not answered in time. Default 60 s. */
  initTimeoutMs?: number;
  /** A message left half-written for this long means coqidetop is wedged (see watchStall). Default 30 s. */
  stallTimeoutMs?: number;
}
export interface CoqExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const USER_INTERRUPT = 'User interrupt.';
const QUIT_GRACE_MS = 2000;
const STALL_TIMEOUT_MS = 30_000;

interface PendingCall {
  name: string;
  xml: string;
  /** Turns a good payload into the result; throwing means coqidetop said something we do not understand. */
  decode: (value: X.XmlElement | undefined) => unknown;
  resolve: (result: CoqResult<unknown>) => void;
  reject: (error: Error) => void;
  /** Our own call (the interrupt absorber): never interrupted. */
  internal?: boolean;
  interruptSent?: boolean;
  /** performance.now() when it was sent. */
  sentAt?: number;
  /** For Query: the route id its output carries, and that output. */
  route?: number;
  printed?: string[];
}

/** coqidetop did not start; nothing of it is left running. */
export class CoqStartError extends Error {
  constructor(
    message: string,
    /**
     * It was ended by a signal before it was ready, and not by us (killed from outside, or it
     * crashed): nothing about the request is wrong, another attempt may well succeed.
     */
    readonly killed: boolean,
  ) {
    super(message);
    this.name = 'CoqStartError';
  }
}

export class CoqIdeTop {
  readonly pid: number;
  readonly exited: Promise<CoqExit>;
  private _initialStateId = 0;
  private _newestStateId = 0;
  /** Feedback that is not a message (processing, processed, file loaded…) is ignored: not even parsed. */
  private readonly parser = new X.XmlStreamParser({ skip: { tag: 'feedback', unless: '<feedback_content val="message"' } });
  /** Written and not answered yet, oldest first: the first is the one coqidetop is working on. */
  private readonly inflight: PendingCall[] = [];
  private ended: Error | undefined; // set once the process is gone: every call rejects with it
  private deathCause: string | undefined; // why we killed it, when we did
  private stallTimer: NodeJS.Timeout | undefined;
  private quitting = false;
  private stderrTail = '';
  private nextRoute = 1;
  private resolveExited!: (e: CoqExit) => void;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: CoqIdeTopOptions,
  ) {
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    child.stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      options.onStderr?.(text);
    });
    child.stdin!.on('error', () => {}); // EPIPE after a crash: the exit handler reports it
    let exit: CoqExit | undefined;
    let stdoutDone = false;
    // Finish only once stdout is drained too, so that a reply written just before exiting (Quit) is read.
    const finish = () => exit && stdoutDone && this.finish(exit);
    child.stdout!.on('close', () => ((stdoutDone = true), finish()));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      finish();
      setTimeout(() => ((stdoutDone = true), finish()), 500); // a grandchild may hold the pipe
    });
    child.on('error', (err) => {
      if (child.pid === undefined) {
        stdoutDone = true;
        exit = { code: null, signal: null };
        this.finish(exit, spawnError(err, child.spawnfile, options.cwd));
      }
    });
  }

  /**
   * False once the process is gone (killed, crashed, quit), or condemned for what it wrote (its
   * exit is then on its way): every call would reject. Its worker must not wait for the exit to
   * learn that its states are lost, or it would take the next task with a dead coqidetop.
   */
  get alive(): boolean {
    return this.ended === undefined && this.deathCause === undefined;
  }

  get initialStateId(): number {
    return this._initialStateId;
  }

  /** The newest state number an Add was answered with (Init's at first): Coq numbers the next one after it. */
  get newestStateId(): number {
    return this._newestStateId;
  }

  /**
   * The file `path` runs (looked up on PATH when it names no folder): proves Coq is installed
   * without running it. Running `coqidetop -v` took ~40 ms, on every worker's way to its first proof.
   */
  static async locate(path = 'coqidetop.opt', searchPath = process.env.PATH ?? ''): Promise<string> {
    const candidates = path.includes('/') ? [resolve(path)] : searchPath.split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, path));
    let found: string | undefined;
    for (const candidate of candidates) {
      if (!(await stat(candidate).then((s) => s.isFile(), () => false))) continue;
      found ??= candidate;
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
    throw found ? notRunnable(found) : notFound(path);
  }

  /** Spawns `coqidetop -main-channel stdfds ...args` and waits for Init; on failure nothing is left running. */
  static async start(options: CoqIdeTopOptions): Promise<CoqIdeTop> {
    const path = options.path ?? 'coqidetop.opt';
    const child = spawn(path, ['-main-channel', 'stdfds', ...(options.args ?? [])], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const coq = new CoqIdeTop(child, options);
    const timeoutMs = options.initTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${path} did not answer Init within ${timeoutMs} ms`)), timeoutMs);
      });
      const init = await Promise.race([coq.call('Init', X.encodeInit(), X.toStateId), timeout]);
      if (!init.ok) throw new Error(`coqidetop refused Init: ${init.error.message}`);
      coq._initialStateId = coq._newestStateId = init.value;
      return coq;
    } catch (e) {
      // Ended by itself, not by us for what it wrote (a protocol failure, which another attempt would repeat).
      const endedFirst = !coq.alive && coq.deathCause === undefined;
      coq.kill();
      const exit = await coq.exited;
      const message = (e as Error).message.replace(/^coqidetop (exited|was killed)[^:]*/, (m) => `${m} during startup`);
      throw new CoqStartError(message, endedFirst && exit.signal !== null);
    } finally {
      clearTimeout(timer);
    }
  }

  about(): Promise<X.CoqAbout> {
    return this.call('About', X.encodeAbout(), X.decodeAbout).then((r) => {
      if (!r.ok) throw new Error(`About failed: ${r.error.message}`);
      return r.value;
    });
  }

  /** Adds one sentence on top of stateId (bp=0: error locations are relative to the sentence). */
  add(sentence: string, stateId: number, editId = 0): Promise<CoqResult<{ stateId: number }>> {
    return this.call('Add', X.encodeAdd({ sentence, stateId, editId }), (v) => {
      const added = X.decodeAdd(v).stateId;
      this._newestStateId = Math.max(this._newestStateId, added);
      return { stateId: added };
    });
  }

  /** force=true executes everything added so far: that is where tactic errors show up. */
  status(force = true): Promise<CoqResult<void>> {
    return this.call('Status', X.encodeStatus(force), () => undefined);
  }

  editAt(stateId: number): Promise<CoqResult<void>> {
    return this.call('Edit_at', X.encodeEditAt(stateId), (v) => void X.toUnion(v));
  }

  goals(): Promise<CoqResult<X.CoqGoals | undefined>> {
    return this.call('Goal', X.encodeGoal(), X.decodeGoals);
  }

  /** Runs a command (Check, Print, Search…) at stateId without adding it; answers what it printed. */
  query(text: string, stateId: number): Promise<CoqResult<string>> {
    const route = this.nextRoute++;
    const printed: string[] = [];
    return this.call('Query', X.encodeQuery(text, stateId, route), () => printed.join('\n'), { route, printed });
  }

  /**
   * Stops the call in flight (SIGINT, as CoqIDE does): it fails with `interrupted: true`.
   * Does nothing when no call is in flight, because Coq would keep the interrupt pending and
   * fail whatever call comes next.
   */
  interrupt(): void {
    const c = this.inflight[0];
    // One SIGINT per call: a second one could land after the first has stopped it, and stay pending.
    if (!c || c.internal || c.interruptSent || this.ended) return;
    c.interruptSent = true;
    this.child.kill('SIGINT');
  }

  /** Asks coqidetop to quit (after the calls in flight); SIGKILL if it has not exited in 2 s. */
  async quit(): Promise<void> {
    if (!this.ended && !this.quitting) {
      this.call('Quit', X.encodeQuit(), () => undefined).catch(() => {});
      this.quitting = true;
    }
    const timer = setTimeout(() => this.kill(), QUIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.ended) this.child.kill('SIGKILL');
  }

  // --- plumbing -------------------------------------------------------------------------------

  private call<T>(name: string, xml: string, decode: (v: X.XmlElement | undefined) => T, extra: Partial<PendingCall> = {}): Promise<CoqResult<T>> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.deathCause) return Promise.reject(new Error(this.deathCause));
    if (this.quitting) return Promise.reject(new Error(`coqidetop is quitting: ${name} not sent`));
    return new Promise<CoqResult<T>>((resolve, reject) => {
      this.send({ name, xml, decode, resolve: resolve as PendingCall['resolve'], reject, ...extra });
    });
  }

  private send(call: PendingCall): void {
    call.sentAt = performance.now();
    this.inflight.push(call);
    // Calls made in one go (pipelined Adds) leave in one write, not one system call each.
    const stdin = this.child.stdin!;
    if (stdin.writableCorked === 0) {
      stdin.cork();
      process.nextTick(() => stdin.uncork());
    }
    stdin.write(call.xml);
    if (call.name === 'Quit') stdin.end(); // EOF makes it exit even if Quit is not honoured
  }

  private onStdout(chunk: Buffer): void {
    if (this.deathCause) return; // being killed: ignore the rest
    for (const ev of this.parser.feed(chunk)) {
      try {
        if (ev.kind === 'garbage') this.options.onStderr?.(`[coqidetop stdout, not XML] ${ev.text}`);
        else if (ev.kind === 'error') throw new X.CoqDecodeError(ev.message);
        else if (ev.element.tag === 'value') this.onReply(ev.element);
        else if (ev.element.tag === 'feedback') this.onFeedback(X.decodeFeedback(ev.element));
        else if (ev.element.tag !== 'ltac_debug') throw new X.CoqDecodeError(`unexpected <${ev.element.tag}>`);
      } catch (e) {
        this.protocolFailure(`unparseable output from coqidetop (${(e as Error).message})`);
        return;
      }
    }
    this.watchStall();
  }

  /**
   * coqidetop writes each message whole, at once. One left half-written (a tag or an element not
   * closed) with nothing more coming means it is wedged, and the call waiting for the rest would
   * wait forever (a skeleton has no time limit): after stallTimeoutMs of silence it is a protocol failure.
   */
  private watchStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (!this.parser.midMessage || !this.alive) return;
    const ms = this.options.stallTimeoutMs ?? STALL_TIMEOUT_MS;
    this.stallTimer = setTimeout(() => {
      const pending = this.parser.pending.slice(0, 60);
      this.protocolFailure(`unparseable output from coqidetop (it stopped in the middle of a message, nothing more for ${ms / 1000} s${pending ? ` after ${JSON.stringify(pending)}` : ''})`);
    }, ms);
  }

  private onReply(element: X.XmlElement): void {
    const c = this.inflight.shift();
    if (!c) throw new X.CoqDecodeError('a reply with no call in flight');
    const reply = X.decodeValue(element);
    let result: CoqResult<unknown>;
    if (reply.ok) result = { ok: true, value: c.decode(reply.value) };
    else {
      const error: CoqError = { message: reply.message, loc: reply.loc, safeStateId: reply.stateId > 0 ? reply.stateId : undefined };
      if (reply.message.trim() === USER_INTERRUPT) error.interrupted = true;
      result = { ok: false, error };
    }
    noteCall(c.name, performance.now() - c.sentAt!);
    // The call ended before Coq noticed our SIGINT: the interrupt is still pending inside Coq and
    // would fail the next call, so let a harmless About take it first (or a call already in
    // flight takes it: it fails as interrupted, which is what the caller asked for).
    if (c.interruptSent && !(!result.ok && result.error.interrupted) && !this.quitting) {
      this.send({ name: 'About', xml: X.encodeAbout(), decode: () => undefined, resolve: () => {}, reject: () => {}, internal: true });
    }
    c.resolve(result);
  }

  private onFeedback(fb: X.CoqFeedback): void {
    if (!fb.message) return;
    const c = this.inflight[0];
    if (c?.printed && fb.route === c.route) {
      if (fb.message.level !== 'error') c.printed.push(fb.message.message);
      return;
    }
    this.options.onMessage?.({ stateId: fb.stateId, ...fb.message });
  }

  /** A wedged coqidetop is worse than a dead one: fail what is pending and kill it. */
  private protocolFailure(message: string): void {
    clearTimeout(this.stallTimer);
    this.deathCause = message;
    const error = new Error(message);
    for (const c of this.takeAll()) c.reject(error);
    this.kill();
  }

  private takeAll(): PendingCall[] {
    return this.inflight.splice(0);
  }

  private finish(exit: CoqExit, error?: Error): void {
    if (this.ended) return;
    clearTimeout(this.stallTimer);
    let how = exit.signal ? `coqidetop was killed by ${exit.signal}` : `coqidetop exited with code ${exit.code}`;
    const detail = this.deathCause ?? this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    if (detail) how += `: ${detail}`;
    this.ended = error ?? new Error(how);
    for (const c of this.takeAll()) c.reject(this.ended);
    this.resolveExited(exit);
  }
}

function spawnError(err: NodeJS.ErrnoException, path: string, cwd: string | undefined): Error {
  // A missing working directory also fails the spawn with ENOENT.
  if (err.code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) return new Error(`cannot start ${path}: working directory ${cwd} does not exist`);
  if (err.code === 'ENOENT') return notFound(path);
  if (err.code === 'EACCES') return notRunnable(path);
  return new Error(`${path} could not be started: ${err.message}`);
}

/** Said alike whether the lookup (CoqIdeTop.locate) or the spawn finds it out. */
function notFound(path: string): Error {
  return new Error(`${path} not found: install Coq (apt-get install coq) or set the path to coqidetop.opt`);
}

function notRunnable(path: string): Error {
  return new Error(`${path} cannot be run (permission denied)`);
}
