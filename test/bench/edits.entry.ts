/**
 * `npm run bench -- --edits`: edit-to-verdict latency, driving the server over stdio as an editor
 * does. For each document: a cold check, then (a) one tactic broken and reverted inside a mid-file
 * proof, (b) a statement changed mid-file (everything after it is re-checked), (c) a burst of 10
 * edits 50 ms apart. Latency is didChange → proofpool/checkFinished of that version; CPU time is
 * that of the whole process tree (server, workers, coqidetop).
 *
 *   node out/test/bench/edits.entry.js [--runs N]
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver';
import type { DocumentResult } from '../../server/src/cli/serverSession';
import { copyIntoProject, errorsOf, replaceOnce } from '../support/editing';
import { startMarkedServer } from '../support/markedServer';
import { median } from '../support/measure';
import { processesWithTag } from '../support/processes';

interface Scenario {
  source: string;
  /** A tactic line inside a mid-file proof, and a broken version of it (`@` marks where each edit numbers itself). */
  tactic: [string, string];
  /** A statement mid-file, and an equivalent one with other text (its proof still goes through). */
  statement: [string, string];
  /** coq-lsp's figures measured here for the same kind of edit (../shared/notes/corpus.md). */
  peer?: string;
}

const SCENARIOS: Scenario[] = [
  {
    source: '/usr/lib/ocaml/coq/theories/Lists/List.v',
    tactic: ['      intro l; induction l as [|a l IHl]; simpl; auto.\n      destruct a; destruct (split l); simpl; auto.\n    Qed.\n\n    Lemma split_length_r', '      intro l; induction l as [|a l IHl]; simpl; fail@.\n      destruct a; destruct (split l); simpl; auto.\n    Qed.\n\n    Lemma split_length_r'],
    statement: ['Lemma split_length_l : forall (l:list (A*B)),\n      length (fst (split l)) = length l.', 'Lemma split_length_l : forall (k:list (A*B)),\n      length (fst (split k)) = length k.'],
    peer: 'coq-lsp: 1.6–2.0 s for one tactic edited at line 1675',
  },
  {
    source: '/usr/lib/ocaml/coq/user-contrib/mathcomp/ssreflect/seq.v',
    tactic: ['Proof. by rewrite -cats1 prefix_subseq. Qed.', 'Proof. by rewrite -cats1@. Qed.'],
    statement: ['Lemma subseq_uniq s1 s2 : subseq s1 s2 -> uniq s2 -> uniq s1.', 'Lemma subseq_uniq t1 t2 : subseq t1 t2 -> uniq t2 -> uniq t1.'],
  },
];

const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by the live processes carrying the marker. */
function cpuSeconds(tag: string): number {
  let ticks = 0;
  for (const pid of processesWithTag(tag)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Ended meanwhile.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

function errors(result: DocumentResult): number {
  return errorsOf(result).length;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  for (const scenario of SCENARIOS) {
    const { dir, file, uri, original } = copyIntoProject(scenario.source);
    const { session, tag } = await startMarkedServer({ workers: 2 });
    let version = 1;
    try {
      let started = Date.now();
      const cold = await session.check(uri, original);
      const coldSeconds = (Date.now() - started) / 1000;
      assert.equal(errors(cold), 0, `${file} should check`);

      const edit = async (text: string) => {
        version++;
        const verdict = session.verdict(uri, version);
        const cpuBefore = cpuSeconds(tag);
        started = Date.now();
        await session.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
        const result = await verdict;
        return { result, seconds: (Date.now() - started) / 1000, cpu: cpuSeconds(tag) - cpuBefore };
      };

      // Every edit is new text (a comment numbers it), so no result of an earlier round is reused.
      let edits = 0;
      const numbered = (text: string) => text.replace(/\.(\s*)$/, ` (* edit ${++edits} *).$1`);
      const broken = () => replaceOnce(original, scenario.tactic[0], scenario.tactic[1].replace('@', ` (* edit ${++edits} *)`));
      const restated = () => replaceOnce(original, scenario.statement[0], numbered(scenario.statement[1]));
      const breakTimes: number[] = [];
      const revertTimes: number[] = [];
      const statementTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const b = await edit(broken());
        assert.equal(errors(b.result), 1, 'breaking the tactic shows its error');
        breakTimes.push(b.seconds);
        const r = await edit(original);
        assert.equal(errors(r.result), 0, 'reverting it clears the error');
        revertTimes.push(r.seconds);
        const s = await edit(restated());
        assert.equal(errors(s.result), 0, 'the restated lemma still checks');
        statementTimes.push(s.seconds);
        await edit(original);
      }

      // A burst: 10 versions 50 ms apart, alternately broken and fixed, ending fixed.
      const burstCpuBefore = cpuSeconds(tag);
      started = Date.now();
      let last: Promise<DocumentResult> | undefined;
      for (let i = 0; i < 10; i++) {
        version++;
        if (i === 9) last = session.verdict(uri, version);
        await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version },
          contentChanges: [{ text: i % 2 === 0 ? broken() : original }],
        });
        if (i < 9) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const burst = await last!;
      const burstSeconds = (Date.now() - started) / 1000;
      const burstCpu = cpuSeconds(tag) - burstCpuBefore;
      // The same edit alone, for comparison: the last version's own check, from the same starting point.
      await edit(broken());
      const alone = await edit(original);
      assert.equal(errors(burst), 0);

      console.log(`\n${file} (cold check ${coldSeconds.toFixed(2)} s on 2 workers; medians of ${runs})`);
      console.log(`  (a) tactic broken: ${(median(breakTimes) * 1000).toFixed(0)} ms, reverted: ${(median(revertTimes) * 1000).toFixed(0)} ms` + (scenario.peer ? `   [${scenario.peer}]` : ''));
      console.log(`  (b) statement changed: ${(median(statementTimes) * 1000).toFixed(0)} ms = ${(median(statementTimes) / coldSeconds).toFixed(2)}× the cold check`);
      console.log(`  (c) burst of 10 edits 50 ms apart: verdict ${(burstSeconds * 1000).toFixed(0)} ms after the first edit; CPU ${burstCpu.toFixed(2)} s vs ${alone.cpu.toFixed(2)} s for the last version's own check`);
    } finally {
      await session.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

void main();
