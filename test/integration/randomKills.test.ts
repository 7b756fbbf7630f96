/**
 * Worker deaths the checker did not choose. A real standard library document is checked while busy
 * workers, or their coqidetop, are SIGKILLed at random moments (a seeded draw, printed): every
 * killed proof is tried again once, so the verdicts must equal those of an undisturbed check, the
 * pool must be back to its size, and no process may be left. Then a proof whose worker dies twice:
 * it gets no verdict and says so.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import type { WorkerInfo } from '../../protocol/lsp';
import { copyStdlib } from '../support/coq';
import { MarkedServer, startMarkedServer } from '../support/markedServer';
import { assertNoneLeft, childrenOf, commandLine, waitFor } from '../support/processes';
import { Random, seededRandom } from '../support/random';

const SIZE = 2;
const RUNS = 3;
const KILLS_PER_RUN = 3;

const random = seededRandom();
console.log(`random kills: seed ${random.seed} (PROOFPOOL_SEED=${random.seed} draws the same moments and victims)`);

const dir = copyStdlib(['Lists/List.v']);
writeFileSync(join(dir, '_CoqProject'), '-Q . Test\n');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Kill {
  atMs: number;
  target: 'worker' | 'coqidetop';
  worker: number;
  task: string;
}

test(`SIGKILL of busy workers and coqidetops at random moments (${RUNS} runs, ${KILLS_PER_RUN} kills each): the verdicts of an undisturbed check, the pool refilled, nothing left`, async () => {
  const file = join(dir, 'List.v');
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).href;

  // Each run has a server of its own: no result is remembered from an earlier run.
  const undisturbed = await startMarkedServer({ workers: SIZE });
  const started = Date.now();
  let reference;
  try {
    reference = await undisturbed.session.check(uri, text);
  } finally {
    await undisturbed.session.stop();
  }
  const undisturbedMs = Date.now() - started;
  await assertNoneLeft(undisturbed.tag);
  assert.equal(reference.finished.proofs.checked, reference.finished.proofs.total, 'List.v checks');

  for (let run = 1; run <= RUNS; run++) {
    const server = await startMarkedServer({ workers: SIZE });
    try {
      const runStarted = Date.now();
      let over = false;
      const verdict = server.session.check(uri, text).finally(() => (over = true));
      // Moments within the first 60 % of an undisturbed check: a disturbed one only lasts longer.
      const moments = Array.from({ length: KILLS_PER_RUN }, () => random.between(0.05, 0.6) * undisturbedMs).sort((a, b) => a - b);
      const killedTasks = new Set<string>();
      const kills: Kill[] = [];
      for (const moment of moments) {
        // Waiting for a drawn moment is the fault being injected, not a wait for a condition.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, runStarted + moment - Date.now())));
        const kill = await killRandomBusyWorker(server, random, killedTasks, () => over);
        if (kill) kills.push({ ...kill, atMs: Date.now() - runStarted });
      }
      const result = await verdict;
      console.log(`run ${run}: ${kills.map((k) => `${k.target} of worker ${k.worker} at ${k.atMs} ms (${k.task})`).join('; ')}; verdict after ${Date.now() - runStarted} ms (undisturbed: ${undisturbedMs} ms)`);
      assert.equal(kills.length, KILLS_PER_RUN, 'every kill found a busy worker before the check ended');
      assert.deepEqual(result.finished.proofs, reference.finished.proofs);
      assert.deepEqual(result.diagnostics, reference.diagnostics);
      await server.refilled(SIZE);
      await server.onlyPoolLeft();
    } finally {
      await server.session.stop();
    }
    await assertNoneLeft(server.tag);
  }
});

test('a proof whose worker dies twice is reported as not checked because its worker died; the others keep their verdicts', async () => {
  const path = join(dir, 'DiesTwice.v');
  const text = `Lemma quick : True.\nProof. exact I. Qed.\nLemma forever : True.\nProof. do 1000000 do 1000000 idtac. exact I. Qed.\nLemma after_it : 1 = 1.\nProof. reflexivity. Qed.\n`;
  writeFileSync(path, text);
  const server = await startMarkedServer({ workers: SIZE, proofTimeLimitMs: 0 });
  try {
    const verdict = server.session.check(pathToFileURL(path).href, text);
    const busyWithForever = (except?: number) => async () => (await server.listWorkers()).find((w) => w.state === 'busy' && w.task?.includes('forever') && w.pid !== except);
    const first = await waitFor(busyWithForever(), 'a worker busy with the endless proof', 30_000);
    process.kill(await coqidetopOf(first.pid), 'SIGKILL');
    // The retry runs on another worker: this time the worker itself dies, without its coqidetop.
    const second = await waitFor(busyWithForever(first.pid), 'another worker busy with the endless proof', 30_000);
    process.kill(second.pid, 'SIGKILL');
    const { finished, diagnostics } = await verdict;
    assert.deepEqual(finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].range.start.line, 2, 'at the statement of the endless proof');
    assert.match(diagnostics[0].message, /^Not checked: the worker checking the proof of forever died twice \(last: worker \d+ was killed by SIGKILL\)\.$/);
    await server.refilled(SIZE);
    await server.onlyPoolLeft();
  } finally {
    await server.session.stop();
  }
  await assertNoneLeft(server.tag);
});

/**
 * SIGKILLs a random busy worker, or its coqidetop, whose task has not been killed yet (a third
 * death would be a second one for that task, which changes its verdict). Undefined if the check
 * ended before one was found.
 */
async function killRandomBusyWorker(server: MarkedServer, random: Random, killedTasks: Set<string>, over: () => boolean): Promise<Omit<Kill, 'atMs'> | undefined> {
  for (;;) {
    const candidates = (await server.listWorkers()).filter((w) => w.state === 'busy' && w.task && !killedTasks.has(w.task));
    if (over()) return undefined;
    if (candidates.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    const victim = random.pick(candidates);
    // Frozen (with its coqidetop), the worker cannot finish its task between our look and the kill.
    if (!signalGroup(victim.pid, 'SIGSTOP')) continue;
    try {
      const task = await settledTaskOf(server, victim.pid);
      if (task === undefined || killedTasks.has(task)) continue;
      killedTasks.add(task);
      const target = random.next() < 0.5 ? 'worker' : 'coqidetop';
      process.kill(target === 'worker' ? victim.pid : await coqidetopOf(victim.pid), 'SIGKILL');
      return { target, worker: victim.id, task };
    } finally {
      signalGroup(victim.pid, 'SIGCONT');
    }
  }
}

/**
 * What the server believes a frozen worker runs, once two looks agree: by then it has read
 * whatever the worker wrote before it froze (an answer may make it idle, then give it a new task).
 */
async function settledTaskOf(server: MarkedServer, pid: number): Promise<string | undefined> {
  const look = async () => (await server.listWorkers()).find((w) => w.pid === pid);
  let previous: WorkerInfo | undefined = await look();
  for (;;) {
    const now = await look();
    if (now?.state === previous?.state && now?.task === previous?.task) return now?.state === 'busy' ? now.task : undefined;
    previous = now;
  }
}

/** Signals a worker's process group; false if it is gone (the pool may end it meanwhile). */
function signalGroup(leader: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-leader, signal);
    return true;
  } catch {
    return false;
  }
}

async function coqidetopOf(workerPid: number): Promise<number> {
  return waitFor(() => childrenOf(workerPid).find((pid) => commandLine(pid).includes('coqidetop')), `the coqidetop of worker pid ${workerPid}`);
}
