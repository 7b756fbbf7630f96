/**
 * `npm run fuzz [-- OPTIONS]`: bad documents against the sentence splitter and the segment finder
 * in-process (each case bounded in time, in a worker thread), then a smaller number through the
 * real server end to end. Prints the seed first and a summary last; exits 1 on any failure, and
 * each failure comes with the command that runs it alone.
 *
 *   --seed N        master seed (default: random, printed)
 *   --cases N       in-process cases (default 10000; the named pathological cases come first)
 *   --e2e N         end-to-end cases (default 100; 0: none)
 *   --case K        only in-process case K        --e2e-case K   only end-to-end case K
 *   --workers N     the server's workers (default 2)
 *   --verbose       one line per end-to-end case: its time and the server's verdict
 */
import { randomInt } from 'node:crypto';
import { namedCaseCount } from './cases';
import { runEndToEnd } from './endToEnd';
import { CaseFailure, runInProcess } from './inProcess';

interface Options {
  seed: number;
  cases: number[];
  e2e: number[];
  workers: number;
  verbose: boolean;
}

function parse(argv: string[]): Options {
  const value = (name: string): number | undefined => {
    const at = argv.indexOf(name);
    if (at < 0) return undefined;
    const n = Number(argv[at + 1]);
    if (!Number.isInteger(n) || n < 0) usage(`${name} needs a whole number`);
    return n;
  };
  for (const arg of argv) if (arg.startsWith('--') && !['--seed', '--cases', '--e2e', '--case', '--e2e-case', '--workers', '--verbose'].includes(arg)) usage(`unknown option ${arg}`);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const only = value('--case');
  const onlyE2e = value('--e2e-case');
  const single = only !== undefined || onlyE2e !== undefined;
  return {
    seed: value('--seed') ?? randomInt(2 ** 32 - 1),
    cases: only !== undefined ? [only] : single ? [] : range(value('--cases') ?? 10_000),
    e2e: onlyE2e !== undefined ? [onlyE2e] : single ? [] : range(value('--e2e') ?? 100),
    workers: value('--workers') ?? 2,
    verbose: argv.includes('--verbose'),
  };
}

function usage(problem: string): never {
  console.error(`fuzz: ${problem}\nusage: npm run fuzz -- [--seed N] [--cases N] [--e2e N] [--case K | --e2e-case K] [--workers N] [--verbose]`);
  process.exit(2);
}

function report(label: string, failures: CaseFailure[], rerun: (f: CaseFailure) => string): void {
  for (const failure of failures) {
    console.log(`\nFAIL ${label} case ${failure.index} (${failure.kind}, seed ${failure.seed}, ${failure.length} characters)`);
    for (const problem of failure.problems) console.log(`  ${problem.split('\n').join('\n  ')}`);
    if (failure.index >= 0) console.log(`  rerun alone: ${rerun(failure)}`);
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  console.log(`fuzz: seed ${options.seed} (rerun with --seed ${options.seed}); ${options.cases.length} in-process cases, ${options.e2e.length} end to end; ${namedCaseCount()} named cases first`);
  const progress = (label: string, total: number) => (done: number) => {
    if (done % (total > 1000 ? 1000 : 25) === 0) console.log(`  ${label}: ${done}/${total}`);
  };

  const inProcess = await runInProcess({ master: options.seed, indices: options.cases, baseTimeoutMs: 5000, perMegabyteMs: 1000, onProgress: progress('in-process', options.cases.length) });
  report('in-process', inProcess.failures, (f) => `npm run fuzz -- --seed ${options.seed} --case ${f.index}`);
  const rate = inProcess.seconds > 0 ? Math.round(inProcess.cases / inProcess.seconds) : 0;
  console.log(`in-process: ${inProcess.cases} cases (${(inProcess.characters / 1e6).toFixed(1)} M characters), ${inProcess.failures.length} failures, ${inProcess.seconds.toFixed(1)} s (${rate} cases/s)`);
  if (inProcess.slowest.length > 0) console.log(`  slowest: ${inProcess.slowest.map((s) => `#${s.index} ${s.kind} (${(s.length / 1e6).toFixed(2)} M chars) ${Math.round(s.ms)} ms`).join('; ')}`);

  let e2eFailures = 0;
  if (options.e2e.length > 0) {
    const e2e = await runEndToEnd({
      master: options.seed,
      indices: options.e2e,
      workers: options.workers,
      timeoutMs: 120_000,
      onProgress: progress('end to end', options.e2e.length),
      onCase: options.verbose ? (index, kind, ms, verdict) => console.log(`  #${index} ${kind}: ${Math.round(ms)} ms, ${verdict}`) : undefined,
    });
    report('end-to-end', e2e.failures, (f) => `npm run fuzz -- --seed ${options.seed} --e2e-case ${f.index}`);
    console.log(`end to end: ${e2e.cases} cases through the server (${options.workers} workers), ${e2e.failures.length} failures, ${e2e.seconds.toFixed(1)} s`);
    e2eFailures = e2e.failures.length;
  }
  const failed = inProcess.failures.length + e2eFailures;
  console.log(`fuzz: ${failed === 0 ? 'no failures' : `${failed} failures`} (seed ${options.seed})`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
