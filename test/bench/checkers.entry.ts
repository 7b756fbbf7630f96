/**
 * `npm run bench`: ProofPool against coqc on real documents, in one run so that the machine's
 * noise hits every tool alike. For each file, rounds alternate the order of the tools; each run
 * starts from a clean folder (no .vo, no lia cache). Prints medians, ratios to coqc and the peak
 * total memory of each tool's process tree, and writes them as JSON to out/bench/checkers.json.
 *
 *   node out/test/bench/checkers.entry.js [--runs N] [--async-runs N] [--only NAME,...]
 *
 * `coqc -async-proofs on` is by far the slowest (up to 60× coqc): `--async-runs` runs it fewer times.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DIST } from '../support/cli';
import { cleanCoqOutputs } from '../support/coq';
import { BENCHMARK_FILES } from '../support/corpus';
import { geometricMean, measure, Measurement, median } from '../support/measure';

interface Tool {
  name: string;
  /** Run in the first rounds only (see --async-runs). */
  slow?: boolean;
  command(file: string): [string, string[]];
}

const TOOLS: Tool[] = [
  { name: 'coqc', command: (f) => ['coqc', ['-Q', '.', 'Test', f]] },
  { name: 'coqc -async-proofs on -j 2', slow: true, command: (f) => ['coqc', ['-async-proofs', 'on', '-async-proofs-j', '2', '-Q', '.', 'Test', f]] },
  { name: 'proofpool --jobs 1', command: (f) => [process.execPath, [join(DIST, 'cli.js'), 'check', '--jobs', '1', f]] },
  { name: 'proofpool --jobs 2', command: (f) => [process.execPath, [join(DIST, 'cli.js'), 'check', '--jobs', '2', f]] },
];

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 3);
  const slowRuns = Number(option('--async-runs') ?? runs);
  const only = option('--only')?.split(',');
  const files = BENCHMARK_FILES.filter((f) => !only || only.some((o) => basename(f).startsWith(o)));
  const results: Record<string, Record<string, { seconds: number[]; peakRssBytes: number[] }>> = {};

  for (const source of files) {
    const file = basename(source);
    const dir = mkdtempSync(join(tmpdir(), 'proofpool-bench-'));
    copyFileSync(source, join(dir, file));
    // The same logical name for every tool: coqc gets -Q . Test, ProofPool reads it from _CoqProject.
    writeFileSync(join(dir, '_CoqProject'), '-Q . Test\n');
    results[file] = Object.fromEntries(TOOLS.map((t) => [t.name, { seconds: [], peakRssBytes: [] }]));
    for (let round = 0; round < runs; round++) {
      const order = TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]);
      for (const tool of order) {
        if (tool.slow && round >= slowRuns) continue;
        cleanCoqOutputs(dir);
        const [command, args] = tool.command(file);
        const m: Measurement = await measure(command, args, dir);
        assert.equal(m.code, 0, `${tool.name} on ${file} failed:\n${m.output.slice(-2000)}`);
        results[file][tool.name].seconds.push(m.seconds);
        results[file][tool.name].peakRssBytes.push(m.peakRssBytes);
        console.error(`  ${file} round ${round + 1}: ${tool.name} ${m.seconds.toFixed(2)} s, ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }

  // A tool left out (--async-runs 0) has no column.
  const measured = TOOLS.filter((t) => Object.values(results).every((byTool) => byTool[t.name].seconds.length > 0));
  const header = ['file', ...measured.map((t) => t.name)];
  const rows = Object.entries(results).map(([file, byTool]) => {
    const base = median(byTool.coqc.seconds);
    return [
      file,
      ...measured.map((t) => {
        const s = median(byTool[t.name].seconds);
        const mem = Math.max(...byTool[t.name].peakRssBytes) / 2 ** 20;
        return `${s.toFixed(2)} s (${(s / base).toFixed(2)}×, ${mem.toFixed(0)} MiB)`;
      }),
    ];
  });
  const ratios = (tool: string) => Object.values(results).map((byTool) => median(byTool[tool].seconds) / median(byTool.coqc.seconds));
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  for (const tool of measured.slice(1)) console.log(`geometric mean of ${tool.name} / coqc: ${geometricMean(ratios(tool.name)).toFixed(2)}×`);
  console.log(`(medians of ${runs} runs; ${slowRuns} for the slow tools)`);

  // Scaling: fit T(N) = serial + parallel / N to the medians with 1 and 2 workers (serial: start-up and
  // the skeleton, which every worker replays; parallel: the proofs), then predict more workers.
  console.log('\nexpected ratio to coqc with more workers (model T(N) = serial + parallel/N fitted to --jobs 1 and 2):');
  for (const [file, byTool] of Object.entries(results)) {
    const one = median(byTool['proofpool --jobs 1'].seconds);
    const two = median(byTool['proofpool --jobs 2'].seconds);
    const parallel = Math.max(0, 2 * (one - two));
    const serial = one - parallel;
    const base = median(byTool.coqc.seconds);
    const predict = (n: number) => ((serial + parallel / n) / base).toFixed(2);
    console.log(`  ${file}: serial ${serial.toFixed(2)} s + parallel ${parallel.toFixed(2)} s → 4: ${predict(4)}×, 8: ${predict(8)}×, 16: ${predict(16)}×`);
  }
  mkdirSync(join(DIST, '..', 'out', 'bench'), { recursive: true });
  writeFileSync(join(DIST, '..', 'out', 'bench', 'checkers.json'), JSON.stringify({ runs, results }, null, 2));
}

void main();
