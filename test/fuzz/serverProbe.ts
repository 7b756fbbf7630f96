/**
 * The real server (dist/server.js) over stdio, probed with one document at a time: open it, wait
 * for its checkFinished (bounded), close it, and ask the server something to see that it still
 * answers. Whatever the server logs as an internal error counts against it: it survives such
 * errors by design, so they would otherwise pass unseen. Used by the fuzzer's end-to-end cases and
 * by the integration tests of bad input.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidCloseTextDocumentNotification } from 'vscode-languageserver';
import { ListWorkersRequest, ProofPoolInitOptions, WorkerInfo } from '../../protocol/lsp';
import { DocumentResult, ServerSession } from '../../server/src/cli/serverSession';
import { DIST } from '../support/cli';
import { assertNoneLeft, markedEnv } from '../support/processes';

/** examples/broken.v: three proofs, the second fails at `reflexivity` (line 11). */
export const BROKEN_EXAMPLE = join(DIST, '..', 'examples', 'broken.v');

export class ServerProbe {
  /** Lines the server logged that say one of its handlers failed. */
  readonly internalErrors: string[] = [];
  private readonly recentLog: string[] = [];
  private opened = 0;

  private constructor(
    readonly session: ServerSession,
    readonly tag: string,
    private readonly dir: string,
  ) {}

  static async start(options: ProofPoolInitOptions, env: NodeJS.ProcessEnv = process.env): Promise<ServerProbe> {
    const marked = markedEnv(env);
    const dir = mkdtempSync(join(tmpdir(), 'proofpool-probe-'));
    let probe: ServerProbe | undefined;
    const early: string[] = [];
    const log = (line: string) => (probe ? probe.note(line) : early.push(line));
    const session = await ServerSession.start(options, { env: marked.env, serverPath: join(DIST, 'server.js'), log });
    probe = new ServerProbe(session, marked.tag, dir);
    for (const line of early) probe.note(line);
    return probe;
  }

  /** The server's last log lines, to explain a failure. */
  logTail(lines = 20): string {
    return this.recentLog.slice(-lines).join('\n');
  }

  /**
   * Opens `text` as a new document, waits for its checkFinished (rejecting after `timeoutMs`, or if
   * the server exits), then closes it. Each document gets its own name, so nothing is shared by accident.
   */
  async check(text: string, timeoutMs: number, name = `Doc${++this.opened}.v`): Promise<DocumentResult> {
    const uri = pathToFileURL(join(this.dir, name)).href;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.session.check(uri, text),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no checkFinished within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await this.session.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }).catch(() => {});
    }
  }

  /** The workers, as the server lists them; rejects if the server does not answer within `timeoutMs`. */
  async workers(timeoutMs = 10_000): Promise<WorkerInfo[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.session.connection.sendRequest(ListWorkersRequest.type),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the server did not answer listWorkers within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return answer.workers;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Checks examples/broken.v; returns what is wrong with its verdict (nothing when the server is sound). */
  async brokenExampleProblems(timeoutMs = 120_000): Promise<string[]> {
    const text = readFileSync(BROKEN_EXAMPLE, 'utf8');
    const { finished, diagnostics } = await this.check(text, timeoutMs, 'Broken.v');
    const problems: string[] = [];
    const { total, checked, failed } = finished.proofs;
    if (total !== 3 || checked !== 2 || failed !== 1) problems.push(`broken.v: expected 3 proofs, 2 checked, 1 failed; got ${JSON.stringify(finished.proofs)}`);
    const errors = diagnostics.filter((d) => d.severity === 1);
    if (errors.length !== 1 || errors[0].range.start.line !== 10 || !/Unable to unify/.test(errors[0].message)) {
      problems.push(`broken.v: expected one "Unable to unify" error on line 11; got ${JSON.stringify(errors.map((e) => [e.range.start.line + 1, e.message.slice(0, 80)]))}`);
    }
    return problems;
  }

  /** Shuts the server down and waits until none of the processes it started is left. */
  async stop(): Promise<void> {
    try {
      await this.session.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    await assertNoneLeft(this.tag);
  }

  private note(line: string): void {
    for (const one of line.split('\n')) {
      this.recentLog.push(one);
      if (/internal error/i.test(one)) this.internalErrors.push(one);
    }
    this.recentLog.splice(0, this.recentLog.length - 200);
  }
}
