/**
 * `npm run soak`: a long editing session on a copy of List.v, driving the real server over stdio
 * as an editor does, to find what leaks. Each cycle is one new version, in a fixed rotation with
 * targets drawn at random (seeded, printed): break a tactic in a proof, revert; change a statement
 * (a skeleton edit: everything after it is checked again), revert; an unparsable sentence before a
 * lemma, revert. Every version's verdict is checked against what the edit must give. After each
 * cycle the resident memory of the whole process tree (server, workers, coqidetops) is sampled.
 * Exits non-zero when a verdict is wrong, a version never finishes, memory grows more than 10 %
 * from the warm-up to the end, or a process is left.
 *
 *   node out/test/bench/soak.entry.js [--cycles 200] [--workers 2] [--seed N]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProofCounts } from '../../protocol/lsp';
import type { DocumentResult } from '../../server/src/cli/serverSession';
import { findProofs, ProofBlock } from '../../server/src/coq/segments';
import { Sentence, splitSentences } from '../../server/src/coq/sentences';
import { copyIntoProject, errorsOf } from '../support/editing';
import { MarkedServer, startMarkedServer } from '../support/markedServer';
import { median, residentBytes, treeResidentBytes } from '../support/measure';
import { assertNoneLeft, childrenOf } from '../support/processes';
import { seededRandom } from '../support/random';

const SOURCE = '/usr/lib/ocaml/coq/theories/Lists/List.v';
const MiB = 2 ** 20;
/** Memory is compared between these windows of cycles (medians), once caches and heaps have settled. */
const WARM_UP = { from: 21, to: 30 };
const WINDOW = 10;
const MAX_GROWTH = 0.1;
/** A version whose verdict takes longer than this counts as a hang. */
const CYCLE_TIMEOUT_MS = 300_000;

type Kind = 'break' | 'restate' | 'syntax' | 'revert';
const ROTATION: Kind[] = ['break', 'revert', 'restate', 'revert', 'syntax', 'revert'];

interface Edit {
  kind: Kind;
  text: string;
  /** The lemma the edit is about (none for a revert). */
  lemma?: string;
  /** Checks the verdict; returns what is wrong, or undefined. */
  wrong(result: DocumentResult): string | undefined;
}

interface Sample {
  cycle: number;
  kind: Kind;
  seconds: number;
  rssBytes: number;
  /** The same, by role: where a growth comes from. */
  parts: Parts;
}

interface Parts {
  server: number;
  workers: number;
  coqidetops: number;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<number> {
  const cycles = option('cycles', 200);
  const workers = option('workers', 2);
  const random = seededRandom(option('seed', 0) || undefined);
  const copy = copyIntoProject(SOURCE);
  const sentences = splitSentences(copy.original);
  const proofs = findProofs(sentences);
  const delegated = proofs.filter((p) => p.delegated);
  /** Delegated proofs whose statement names the lemma (`Lemma name ...`), where a comment can go after the name. */
  const named = delegated.filter((p) => new RegExp(`^\\S+ ${p.name}[\\s:(]`).test(sentences[p.statement].text));
  const all: ProofCounts = { total: proofs.length, checked: proofs.length, failed: 0, timedOut: 0, unchecked: 0 };
  console.log(`soak: ${copy.file} (${proofs.length} proofs), ${cycles} cycles, ${workers} workers, seed ${random.seed}`);

  let numbered = 0;
  const mark = () => `(* soak ${++numbered} *)`;
  const edits: Record<Kind, () => Edit> = {
    revert: () => ({ kind: 'revert', text: copy.original, wrong: (r) => expectCounts(r, all, 0) }),
    // A tactic that always fails, first in the proof: that proof fails there, every other proof checks.
    break: () => {
      const proof = random.pick(delegated);
      const after = sentences[proof.statement + 1]?.text.startsWith('Proof') ? proof.statement + 1 : proof.statement;
      const text = insertAt(copy.original, sentences[after].end, ` fail. ${mark()}`);
      const wrong = (r: DocumentResult) =>
        expectCounts(r, { ...all, checked: all.checked - 1, failed: 1 }, 1) ?? expectErrorIn(r, text, sentences[proof.statement], proof, sentences);
      return { kind: 'break', text, lemma: proof.name, wrong };
    },
    // New statement text (a comment after the name): the skeleton changes there, every proof still checks.
    restate: () => {
      const proof = random.pick(named);
      const statement = sentences[proof.statement];
      const at = statement.start + statement.text.indexOf(` ${proof.name}`) + proof.name.length + 1;
      return { kind: 'restate', text: insertAt(copy.original, at, ` ${mark()}`), lemma: proof.name, wrong: (r) => expectCounts(r, all, 0) };
    },
    // Coq cannot parse the sentence before the lemma: proofs before it check, none from it on is reached.
    syntax: () => {
      const index = 1 + Math.floor(random.next() * (proofs.length - 1));
      const proof = proofs[index];
      const text = insertAt(copy.original, sentences[proof.statement].start, `Definition oops := (1 + . ${mark()}\n`);
      return { kind: 'syntax', text, lemma: proof.name, wrong: (r) => expectCounts(r, { ...all, checked: index, unchecked: proofs.length - index }, 1) };
    },
  };

  const server = await startMarkedServer({ workers });
  const samples: Sample[] = [];
  let failure: string | undefined;
  try {
    const cold = await server.session.check(copy.uri, copy.original);
    failure = expectCounts(cold, all, 0);
    for (let cycle = 1; cycle <= cycles && !failure; cycle++) {
      const edit = edits[ROTATION[(cycle - 1) % ROTATION.length]]();
      const started = Date.now();
      const result = await Promise.race([server.edit(copy.uri, cycle + 1, edit.text), timeout(CYCLE_TIMEOUT_MS)]);
      const seconds = (Date.now() - started) / 1000;
      const wrong = result ? edit.wrong(result) : `no verdict within ${CYCLE_TIMEOUT_MS / 1000} s`;
      if (wrong) failure = `cycle ${cycle} (${edit.kind}${edit.lemma ? ` ${edit.lemma}` : ''}): ${wrong}`;
      samples.push({ cycle, kind: edit.kind, seconds, rssBytes: treeResidentBytes(server.tag), parts: await partsOf(server) });
      const { rssBytes, parts } = samples.at(-1)!;
      if (cycle % 20 === 0) console.log(`  cycle ${cycle}: ${mib(rssBytes)} MiB (server ${mib(parts.server)}, workers ${mib(parts.workers)}, coqidetops ${mib(parts.coqidetops)})`);
    }
  } finally {
    await server.session.stop();
    rmSync(copy.dir, { recursive: true, force: true });
  }
  let leftover: string | undefined;
  await assertNoneLeft(server.tag).catch((error: Error) => (leftover = error.message));

  const verdict = report(samples, cycles);
  // The workers' heap compactions after long rewinds (worker/src/heap.ts), with their cost.
  const compactions = server.log.map((line) => /compacted coqidetop's heap .*\((\d+) ms\)/.exec(line)?.[1]).filter(Boolean).map(Number);
  if (compactions.length) console.log(`heap compactions: ${compactions.length}, median ${median(compactions)} ms, total ${(compactions.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
  mkdirSync(join('out', 'bench'), { recursive: true });
  writeFileSync(join('out', 'bench', 'soak.json'), JSON.stringify({ seed: random.seed, cycles, workers, ...verdict, failure, leftover, samples }, null, 1));
  const problems = [failure && `wrong verdict: ${failure}`, leftover, verdict.growth > MAX_GROWTH && `memory grew ${(verdict.growth * 100).toFixed(1)} % (limit ${MAX_GROWTH * 100} %)`].filter(Boolean);
  for (const problem of problems) console.log(`FAIL: ${problem}`);
  if (problems.length === 0) console.log('soak: every verdict right, memory steady, nothing left');
  return problems.length === 0 ? 0 : 1;
}

function report(samples: Sample[], cycles: number) {
  const rss = (from: number, to: number) => median(samples.filter((s) => s.cycle >= from && s.cycle <= to).map((s) => s.rssBytes));
  const warm = rss(WARM_UP.from, WARM_UP.to);
  const end = rss(cycles - WINDOW + 1, cycles);
  const growth = samples.length >= cycles && cycles > WARM_UP.to ? end / warm - 1 : NaN;
  const max = samples.reduce((best, s) => (s.rssBytes > best.rssBytes ? s : best), samples[0]);
  const times = samples.map((s) => s.seconds);
  const part = (key: keyof Parts, from: number, to: number) => mib(median(samples.filter((s) => s.cycle >= from && s.cycle <= to).map((s) => s.parts[key])));
  const parts = (from: number, to: number) => `server ${part('server', from, to)}, workers ${part('workers', from, to)}, coqidetops ${part('coqidetops', from, to)}`;
  console.log(`by role (MiB): warm-up ${parts(WARM_UP.from, WARM_UP.to)}; end ${parts(cycles - WINDOW + 1, cycles)}`);
  console.log(`RSS of the process tree: warm-up (cycles ${WARM_UP.from}–${WARM_UP.to}) ${mib(warm)} MiB, end (last ${WINDOW}) ${mib(end)} MiB, growth ${(growth * 100).toFixed(1)} %, max ${mib(max?.rssBytes ?? 0)} MiB (cycle ${max?.cycle})`);
  console.log(`time per cycle: median ${median(times).toFixed(2)} s, mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)} s, total ${times.reduce((a, b) => a + b, 0).toFixed(0)} s`);
  for (const kind of new Set(samples.map((s) => s.kind))) {
    console.log(`  ${kind}: median ${median(samples.filter((s) => s.kind === kind).map((s) => s.seconds)).toFixed(2)} s`);
  }
  // Not enough cycles to compare: that is no pass.
  return { warmRssBytes: warm, endRssBytes: end, growth: Number.isNaN(growth) ? Infinity : growth, maxRssBytes: max?.rssBytes };
}

/** Resident memory of the server, of its workers' Node processes and of their coqidetops. */
async function partsOf(server: MarkedServer): Promise<Parts> {
  const workers = (await server.listWorkers()).map((w) => w.pid).filter((pid) => pid > 0);
  const coqidetops = workers.flatMap((pid) => childrenOf(pid));
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + residentBytes(pid), 0);
  return { server: residentBytes(server.session.pid), workers: sum(workers), coqidetops: sum(coqidetops) };
}

function expectCounts(result: DocumentResult, proofs: ProofCounts, errors: number): string | undefined {
  const got = result.finished.proofs;
  if (JSON.stringify(got) !== JSON.stringify(proofs)) return `proofs ${JSON.stringify(got)}, expected ${JSON.stringify(proofs)}`;
  const found = errorsOf(result);
  if (found.length !== errors) return `${found.length} errors, expected ${errors}: ${found.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join(' / ')}`;
  return undefined;
}

/** The one error lies within the broken proof (its statement to its close, lines shift by nothing: the edit adds none). */
function expectErrorIn(result: DocumentResult, text: string, statement: Sentence, proof: ProofBlock, sentences: Sentence[]): string | undefined {
  const line = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  const error = errorsOf(result)[0];
  const [first, last] = [line(statement.start), line(sentences[proof.close!].end)];
  return error.range.start.line >= first && error.range.start.line <= last ? undefined : `the error is on line ${error.range.start.line + 1}, not in ${proof.name} (lines ${first + 1}–${last + 1})`;
}

function insertAt(text: string, offset: number, inserted: string): string {
  return text.slice(0, offset) + inserted + text.slice(offset);
}

function mib(bytes: number): string {
  return (bytes / MiB).toFixed(0);
}

function timeout(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
