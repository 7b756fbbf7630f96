/**
 * End-to-end fuzz cases: each document goes to the real server (real workers, real coqidetop),
 * which must finish its check, keep answering, and log no internal error. After the cases it must
 * still check examples/broken.v right, and leave no process behind. A server that crashed or
 * wedged is reported with the case, and a fresh one takes the remaining cases.
 */
import type { CaseFailure } from './inProcess';
import { fuzzCase } from './cases';
import { diagnosticsOutOfPlace } from './oracle';
import { ServerProbe } from './serverProbe';

export interface EndToEndOptions {
  master: number;
  indices: number[];
  workers: number;
  /** Each document must have its checkFinished within this. */
  timeoutMs: number;
  onProgress?(done: number): void;
  /** Each case's verdict, as the server gave it (for --verbose). */
  onCase?(index: number, kind: string, ms: number, verdict: string): void;
}

export interface EndToEndSummary {
  cases: number;
  failures: CaseFailure[];
  seconds: number;
}

/** Short proof time limit: a mutated proof that loops must not make a case look like a hang. */
const PROOF_TIME_LIMIT_MS = 10_000;

export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndSummary> {
  const started = performance.now();
  const failures: CaseFailure[] = [];
  const start = () => ServerProbe.start({ workers: options.workers, proofTimeLimitMs: PROOF_TIME_LIMIT_MS });
  let probe = await start();
  let done = 0;
  /** Ends a probe; what it leaves behind (or a failed shutdown) is a failure of the case that ran last. */
  const retire = async (old: ServerProbe, blame: CaseFailure | undefined): Promise<void> => {
    try {
      await old.stop();
    } catch (error) {
      const problem = `shutdown: ${(error as Error).message}`;
      if (blame) blame.problems.push(problem);
      else failures.push({ index: -1, seed: options.master, kind: 'server shutdown', length: 0, problems: [problem] });
    }
  };
  for (const index of options.indices) {
    const fuzz = fuzzCase(options.master, index, true);
    const failure: CaseFailure = { index, seed: fuzz.seed, kind: fuzz.kind, length: fuzz.text.length, problems: [] };
    const errorsBefore = probe.internalErrors.length;
    const caseStarted = performance.now();
    try {
      const { finished, diagnostics } = await probe.check(fuzz.text, options.timeoutMs);
      await probe.workers();
      const misplaced = diagnosticsOutOfPlace(fuzz.text, diagnostics);
      if (misplaced.length > 0) failure.problems.push(`diagnostics outside the document: ${JSON.stringify(misplaced.slice(0, 3).map((d) => d.range))}`);
      // Nothing kills workers here: a proof "not checked" means a task failed inside ProofPool.
      const notChecked = diagnostics.filter((d) => d.message.startsWith('Not checked'));
      if (notChecked.length > 0) failure.problems.push(`tasks failed: ${notChecked.slice(0, 3).map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
      const first = diagnostics.find((d) => d.severity === 1)?.message.split('\n')[0].slice(0, 100) ?? 'no error';
      options.onCase?.(index, fuzz.kind, performance.now() - caseStarted, `${JSON.stringify(finished.proofs)}; ${first}`);
    } catch (error) {
      failure.problems.push((error as Error).message);
    }
    failure.problems.push(...probe.internalErrors.slice(errorsBefore).map((line) => `server log: ${line}`));
    done++;
    options.onProgress?.(done);
    if (failure.problems.length === 0) continue;
    failure.problems.push(`server log, last lines:\n${probe.logTail()}`);
    failures.push(failure);
    // Whatever state it is in, the remaining cases get a fresh server.
    await retire(probe, failure);
    probe = await start();
  }
  const last: CaseFailure = { index: -1, seed: options.master, kind: 'examples/broken.v after the cases', length: 0, problems: [] };
  try {
    last.problems.push(...(await probe.brokenExampleProblems()));
  } catch (error) {
    last.problems.push((error as Error).message);
  }
  await retire(probe, last);
  if (last.problems.length > 0) failures.push(last);
  return { cases: done, failures, seconds: (performance.now() - started) / 1000 };
}
