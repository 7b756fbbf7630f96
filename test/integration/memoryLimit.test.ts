/**
 * The per-worker memory limit with a real Coq proof that alone needs more than the limit: that proof
 * is stopped (its worker ended mid-task), tried once more, then reported as out of memory; the other
 * proofs keep their verdicts, the pool is refilled, nothing hangs and no process is left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { startMarkedServer } from '../support/markedServer';
import { assertNoneLeft } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 2 ** 20;
/**
 * A worker checking ordinary proofs holds about 180 MiB (Node and coqidetop after these Requires;
 * measured below); the hungry proof needs about 1.6 GiB (coqc: 818 MiB at 20 million elements).
 */
const LIMIT_MIB = 500;

const ORDINARY = `Require Import List PArith.
Lemma before : True.
Proof. exact I. Qed.
Lemma after_it : 1 = 1.
Proof. reflexivity. Qed.
Lemma broken : 1 = 2.
Proof. reflexivity. Qed.
`;

/**
 * A list of 40 million elements, built and walked by the VM without deep recursion (Pos.iter nests
 * log n calls, fold_left is a loop) so Coq neither overflows its stack nor prints anything big: it
 * just holds about 24 bytes per element while it counts.
 */
const HUNGRY = `Lemma hungry : True.
Proof.
  let x := eval vm_compute in (fold_left (fun b _ => negb b) (Pos.iter (fun l => 0 :: l) nil 40000000%positive) true) in idtac.
  exact I.
Qed.
`;
const DOCUMENT = ORDINARY.replace('Lemma after_it', `${HUNGRY}Lemma after_it`);

function document(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

for (const workers of [1, 2]) {
  test(`a proof that alone passes the memory limit is stopped, tried once more, then reported as out of memory (${workers} workers)`, async () => {
    const server = await startMarkedServer({ workers, workerMemoryLimitBytes: LIMIT_MIB * MiB });
    try {
      // The same document without the hungry proof: workers stay far below the limit, nothing is stopped.
      const ordinary = await server.session.check(document(`Ordinary${workers}.v`, ORDINARY), ORDINARY);
      assert.deepEqual(ordinary.finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
      const normalRss = Math.max(...(await server.listWorkers()).map((w) => w.rssBytes));
      console.log(`a worker after ordinary proofs holds ${Math.round(normalRss / MiB)} MiB (limit ${LIMIT_MIB} MiB)`);
      assert.ok(normalRss > 0 && normalRss < 0.6 * LIMIT_MIB * MiB, `ordinary workers hold ${Math.round(normalRss / MiB)} MiB: the limit leaves room`);
      assert.deepEqual(overMemory(server.log), []);

      const uri = document(`Hungry${workers}.v`, DOCUMENT);
      const { finished, diagnostics } = await server.session.check(uri, DOCUMENT);
      assert.deepEqual(finished.proofs, { total: 4, checked: 2, failed: 2, timedOut: 0, unchecked: 0 });
      const errors = diagnostics.filter((d) => d.severity === 1);
      assert.equal(errors.length, 2, 'the hungry proof and the broken one');
      const hungry = errors.find((d) => d.message.startsWith('Out of memory'))!;
      assert.equal(hungry.range.start.line, DOCUMENT.split('\n').indexOf('Lemma hungry : True.'), 'reported at the hungry statement');
      assert.match(hungry.message, new RegExp(`^Out of memory: the proof of hungry was stopped twice: worker \\d+ exceeded the worker memory limit \\(${LIMIT_MIB} MiB\\), holding \\d+ MiB\\.`));
      assert.match(hungry.message, /Raise proofpool\.workerMemoryLimit/);
      console.log(hungry.message);
      assert.match(errors.find((d) => d !== hungry)!.message, /Unable to unify/);
      // Tried exactly twice: two workers were found over the limit (and ended), no more.
      assert.equal(overMemory(server.log).length, 2, server.log.join('\n'));
      const refilled = await server.refilled(workers);
      assert.ok(refilled.every((w) => w.rssBytes < LIMIT_MIB * MiB), 'the workers over the limit are gone');
    } finally {
      await server.session.stop();
    }
    await assertNoneLeft(server.tag);
  });
}

function overMemory(log: string[]): string[] {
  return log.filter((line) => / over the memory limit/.test(line));
}
