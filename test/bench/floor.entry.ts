/**
 * `npm run bench -- --floor`: the best the pool could do on this machine, whatever its overhead.
 * For each benchmark file: check it once with two workers to get the skeleton the workers replay
 * (delegated proofs as stand-ins, `Proof using` learnt), then time coqc on the file and on that
 * skeleton in alternating rounds, and the fixed cost of starting a check (`proofpool check
 * --jobs 2` minus coqc on a one-lemma file). Prints the floors of ../support/floorModel.ts as
 * ratios to coqc, for 2 to 16 workers. They are in coqc's time: coqidetop does the same work
 * in up to 15 % less (it writes no .vo), so a check may come in a little under them.
 *
 *   node out/test/bench/floor.entry.js [--runs N] [--only NAME,...]
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkInProcess } from '../support/checkInProcess';
import { DIST } from '../support/cli';
import { cleanCoqOutputs } from '../support/coq';
import { BENCHMARK_FILES } from '../support/corpus';
import { replayAllFloor, splitFloor, Times } from '../support/floorModel';
import { geometricMean, measure, median } from '../support/measure';

const WORKERS = [2, 4, 8, 16];

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function seconds(dir: string, command: string, args: string[]): Promise<number> {
  cleanCoqOutputs(dir);
  const m = await measure(command, args, dir);
  assert.equal(m.code, 0, `${command} ${args.join(' ')} failed:\n${m.output.slice(-2000)}`);
  return m.seconds;
}

const coqc = (dir: string, file: string) => seconds(dir, 'coqc', ['-Q', '.', 'Test', file]);

function freshFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'proofpool-floor-'));
  writeFileSync(join(dir, '_CoqProject'), '-Q . Test\n');
  return dir;
}

/** What starting a check costs beyond coqc's own start: a one-lemma file, both ways, medians. */
async function startUp(runs: number): Promise<number> {
  const dir = freshFolder();
  writeFileSync(join(dir, 'One.v'), 'Lemma one : True.\nProof. exact I. Qed.\n');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < runs; round++) {
    ours.push(await seconds(dir, process.execPath, [join(DIST, 'cli.js'), 'check', '--jobs', '2', 'One.v']));
    theirs.push(await coqc(dir, 'One.v'));
  }
  rmSync(dir, { recursive: true, force: true });
  return Math.max(0, median(ours) - median(theirs));
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 3);
  const only = option('--only')?.split(',');
  const files = BENCHMARK_FILES.filter((f) => !only || only.some((o) => basename(f).startsWith(o)));
  const startUpSeconds = await startUp(runs);
  const times: Record<string, Times> = {};

  for (const source of files) {
    const file = basename(source);
    const skeletonFile = file.replace(/\.v$/, '_skeleton.v');
    const dir = freshFolder();
    copyFileSync(source, join(dir, file));
    const { check, proofs } = await checkInProcess(join(dir, file), 2);
    assert.equal(proofs.failed + proofs.timedOut + proofs.unchecked, 0, `${file}: ${JSON.stringify(proofs)}`);
    writeFileSync(join(dir, skeletonFile), `${check.skeletonText()}\n`);
    const whole: number[] = [];
    const skeleton: number[] = [];
    for (let round = 0; round < runs; round++) {
      const order = round % 2 ? [skeleton, whole] : [whole, skeleton];
      for (const list of order) list.push(await coqc(dir, list === whole ? file : skeletonFile));
      console.error(`  ${file} round ${round + 1}: coqc ${whole.at(-1)!.toFixed(2)} s, skeleton ${skeleton.at(-1)!.toFixed(2)} s`);
    }
    times[file] = { whole: median(whole), skeleton: median(skeleton) };
    rmSync(dir, { recursive: true, force: true });
  }

  const ratio = (t: Times, floor: number) => floor / t.whole;
  const header = ['file', 'coqc', 'skeleton', ...WORKERS.map((n) => `${n} workers: replay all / stretches`), '2 workers + start-up'];
  const both = (t: Times, n: number, extra = 0) => `${ratio(t, replayAllFloor(t, n) + extra).toFixed(2)}× / ${ratio(t, splitFloor(t, n) + extra).toFixed(2)}×`;
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const [file, t] of Object.entries(times)) {
    const cells = [...WORKERS.map((n) => both(t, n)), both(t, 2, startUpSeconds)];
    console.log(`| ${file} | ${t.whole.toFixed(2)} s | ${t.skeleton.toFixed(2)} s (${((100 * t.skeleton) / t.whole).toFixed(0)} %) | ${cells.join(' | ')} |`);
  }
  const all = Object.values(times);
  const mean = (floor: (t: Times) => number) => geometricMean(all.map((t) => ratio(t, floor(t)))).toFixed(2);
  const means = (n: number, extra = 0) => `${mean((t) => replayAllFloor(t, n) + extra)}× / ${mean((t) => splitFloor(t, n) + extra)}×`;
  console.log(`| geometric mean | | | ${[...WORKERS.map((n) => means(n)), means(2, startUpSeconds)].join(' | ')} |`);
  console.log(`(medians of ${runs} runs; start-up ${startUpSeconds.toFixed(2)} s: proofpool check --jobs 2 minus coqc on a one-lemma file)`);
}

void main();
