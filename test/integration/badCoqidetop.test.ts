/**
 * A coqidetop that writes garbage (test/fixtures/coqidetop/faultyCoqidetop.fixture.ts: the real
 * coqidetop behind a proxy that misbehaves on cue) through the real server: the proof's check
 * ends with a diagnostic that names the problem, the worker is replaced, the next check is right,
 * and nothing is left running. Also the faults that must not cost a worker, and a coqidetop that
 * stops in the middle of a message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CoqIdeTop } from '../../worker/src/coqidetop';
import { faultyCoqidetop } from '../fixtures/coqidetop/faultyCoqidetop';
import { ServerProbe } from '../fuzz/serverProbe';
import { alive, assertNoneLeft, markedEnv, waitFor } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-bad-coqidetop-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const coqidetopPath = faultyCoqidetop(dir);

/** Three proofs; the second one's sentence carries the cue, so only the worker checking it sees the fault. */
const threeProofs = (fault: string) =>
  `Lemma a : True.\nProof. exact I. Qed.\nLemma b : True.\nProof. exact (* FAULT:${fault} *) I. Qed.\nLemma c : True.\nProof. exact I. Qed.\n`;

/** What each kind of garbage is called in the diagnostic (coqXml.ts / coqidetop.ts). */
const garbage: { fault: string; named: RegExp }[] = [
  { fault: 'malformed', named: /unparseable output from coqidetop \(unexpected <\/unit> inside <pair>\)/ },
  { fault: 'tag', named: /unparseable output from coqidetop \(unexpected <surprise>\)/ },
  { fault: 'binary', named: /unparseable output from coqidetop \(tag name expected/ },
];

async function pids(probe: ServerProbe): Promise<number[]> {
  return (await probe.workers()).map((w) => w.pid);
}

/** Both workers live and started again (the pool keeps its size). */
function refilled(probe: ServerProbe): Promise<number[]> {
  return waitFor(async () => {
    const workers = await probe.workers();
    return workers.length === 2 && workers.every((w) => w.pid > 0 && w.state !== 'starting') && workers.map((w) => w.pid);
  }, 'two live workers');
}

for (const { fault, named } of garbage) {
  test(`coqidetop writes ${fault} garbage mid-proof: the proof says why it was not checked, its worker is replaced, the next check is right`, async () => {
    const probe = await ServerProbe.start({ workers: 2, coqidetopPath });
    try {
      const before = await refilled(probe);
      const { finished, diagnostics } = await probe.check(threeProofs(fault), 120_000);
      assert.deepEqual(finished.proofs, { total: 3, checked: 2, failed: 1, timedOut: 0, unchecked: 0 });
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      const [diagnostic] = diagnostics;
      assert.equal(diagnostic.severity, 1);
      assert.equal(diagnostic.range.start.line, 2, 'on the statement of b');
      assert.match(diagnostic.message, /^Not checked: .*proof of b/);
      assert.match(diagnostic.message, named);

      // The workers that met the garbage are gone, fresh ones took their place.
      await waitFor(() => before.some((pid) => !alive(pid)), 'a worker that met the garbage to be gone');
      const now = await refilled(probe);
      assert.ok(now.some((pid) => !before.includes(pid)), 'a new worker');
      assert.ok(!now.some((pid) => !alive(pid)));

      assert.deepEqual(await probe.brokenExampleProblems(), [], 'a normal document afterwards gets its right verdict');
      assert.deepEqual(probe.internalErrors, []);
    } finally {
      await probe.stop();
    }
  });
}

test('garbage once (a transient fault): the proof is checked again on a fresh worker and passes', async () => {
  const once = join(dir, 'once');
  const probe = await ServerProbe.start({ workers: 2, coqidetopPath }, { ...process.env, FAULTY_COQIDETOP_ONCE: once });
  try {
    const before = await refilled(probe);
    const { finished, diagnostics } = await probe.check(threeProofs('tag'), 120_000);
    assert.deepEqual(finished.proofs, { total: 3, checked: 3, failed: 0, timedOut: 0, unchecked: 0 });
    assert.deepEqual(diagnostics, []);
    await waitFor(() => before.some((pid) => !alive(pid)), 'the worker that met the garbage to be gone');
    assert.ok((await refilled(probe)).some((pid) => !before.includes(pid)), 'a new worker');
  } finally {
    await probe.stop();
  }
});

test('plain text on coqidetop’s stdout (a chatty plugin) is logged, and costs no worker', async () => {
  const probe = await ServerProbe.start({ workers: 2, coqidetopPath });
  try {
    const before = await refilled(probe);
    const { finished, diagnostics } = await probe.check(threeProofs('text'), 120_000);
    assert.deepEqual(finished.proofs, { total: 3, checked: 3, failed: 0, timedOut: 0, unchecked: 0 });
    assert.deepEqual(diagnostics, []);
    assert.match(probe.logTail(200), /\[coqidetop stdout, not XML\] plugin chatter on stdout/);
    assert.deepEqual((await pids(probe)).sort(), [...before].sort(), 'the same workers');
  } finally {
    await probe.stop();
  }
});

test('garbage in answer to Init: every task fails with that error, nothing is retried forever, nothing hangs', async () => {
  const probe = await ServerProbe.start({ workers: 2, coqidetopPath }, { ...process.env, FAULTY_COQIDETOP_INIT: 'tag' });
  try {
    const { finished, diagnostics } = await probe.check(threeProofs('none'), 120_000);
    assert.equal(finished.proofs.checked, 0);
    assert.ok(diagnostics.length > 0);
    for (const diagnostic of diagnostics) assert.match(diagnostic.message, /unparseable output from coqidetop \(unexpected <surprise>\)/);
    assert.deepEqual(probe.internalErrors, []);
  } finally {
    await probe.stop();
  }
});

// The time limit turns a regression (a call waiting forever) into a failure rather than a hung suite.
test('a coqidetop that stops in the middle of a message: the call fails once it has been silent too long, and it is killed', { timeout: 60_000 }, async () => {
  const { tag, env } = markedEnv();
  const coq = await CoqIdeTop.start({ path: coqidetopPath, cwd: dir, env, stallTimeoutMs: 500 });
  const added = await coq.add('Check (* FAULT:stall *) 1.', coq.initialStateId).then(
    () => assert.fail('the call was answered'),
    (error: Error) => error,
  );
  assert.match(added.message, /unparseable output from coqidetop \(it stopped in the middle of a message, nothing more for 0\.5 s/);
  assert.equal(coq.alive, false);
  await coq.exited;
  await assertNoneLeft(tag);
});
