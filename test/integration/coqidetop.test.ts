// Drives the real coqidetop.opt (Coq 8.16.1). Every test checks that its coqidetop is gone afterwards.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CoqIdeTop, type CoqFeedbackMessage, type CoqIdeTopOptions, type CoqResult } from '../../worker/src/coqidetop';

const started: CoqIdeTop[] = [];

async function start(options: CoqIdeTopOptions = {}): Promise<CoqIdeTop> {
  const coq = await CoqIdeTop.start(options);
  started.push(coq);
  return coq;
}

function assertGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), (e: NodeJS.ErrnoException) => e.code === 'ESRCH', `process ${pid} still exists`);
}

afterEach(async () => {
  for (const coq of started.splice(0)) {
    coq.kill();
    await coq.exited;
    assertGone(coq.pid);
  }
});

function ok<T>(r: CoqResult<T>): T {
  if (!r.ok) assert.fail(`Coq failed: ${r.error.message}`);
  return r.value;
}

/** Adds and executes sentences one by one from stateId; answers the last state id. */
async function run(coq: CoqIdeTop, stateId: number, ...sentences: string[]): Promise<number> {
  for (const s of sentences) {
    stateId = ok(await coq.add(s, stateId)).stateId;
    ok(await coq.status());
  }
  return stateId;
}

test('starts, answers About, and quits cleanly', async (t) => {
  const t0 = performance.now();
  const coq = await start();
  t.diagnostic(`spawn to Init answer: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(coq.initialStateId, 1);
  assert.ok(coq.pid > 0);
  assert.deepEqual(await coq.about(), { coqVersion: '8.16.1', protocolVersion: '20220205', releaseDate: 'n/a', compileDate: 'n/a' });
  // It starts no helper processes of its own (so killing it leaves nothing behind).
  assert.equal(readFileSync(`/proc/${coq.pid}/task/${coq.pid}/children`, 'utf8').trim(), '');
  await coq.quit();
  assert.deepEqual(await coq.exited, { code: 0, signal: null });
  await assert.rejects(coq.about(), /coqidetop exited with code 0/);
});

test('Add + Status of good sentences, messages via onMessage with their state', async () => {
  const messages: CoqFeedbackMessage[] = [];
  const coq = await start({ onMessage: (m) => messages.push(m) });
  const a = ok(await coq.add('Definition a := 1.', coq.initialStateId)).stateId;
  assert.ok(a > coq.initialStateId);
  ok(await coq.status());
  assert.deepEqual(messages, [{ stateId: a, level: 'info', message: 'a is defined', loc: undefined }]);
  // A warning, at the state of the sentence that caused it.
  messages.length = 0;
  const f = ok(await coq.add('Fixpoint f (n : nat) : nat := 0.', a)).stateId;
  ok(await coq.status());
  assert.deepEqual(
    messages.filter((m) => m.level === 'warning'),
    [{ stateId: f, level: 'warning', message: 'Not a truly recursive fixpoint. [non-recursive,fixpoints]', loc: undefined }],
  );
});

test('a failing tactic: error with a byte loc into the sentence, editAt(safeStateId) then continue', async () => {
  const messages: CoqFeedbackMessage[] = [];
  const coq = await start({ onMessage: (m) => messages.push(m) });
  const goal = await run(coq, coq.initialStateId, 'Goal forall n : nat, n = n -> True.', 'intros n H.');
  const sentence = 'exact (* ∀é *) foo.';
  const bad = ok(await coq.add(sentence, goal)).stateId; // Add only parses: the tactic runs on Status
  const r = await coq.status();
  assert.ok(!r.ok);
  assert.equal(r.error.message, 'The reference foo was not found in the current environment.');
  assert.equal(r.error.safeStateId, goal);
  assert.ok(r.error.loc);
  // Offsets are UTF-8 bytes: ∀ is 3 bytes and é 2, so they differ from the JS string index.
  assert.equal(Buffer.from(sentence).subarray(r.error.loc.start, r.error.loc.end).toString(), 'foo');
  assert.equal(sentence.indexOf('foo'), 15);
  assert.deepEqual(r.error.loc, { start: 18, end: 21 });
  // The same error also comes as feedback, for the failing state.
  assert.deepEqual(messages.filter((m) => m.level === 'error'), [{ stateId: bad, level: 'error', message: r.error.message, loc: { start: 18, end: 21 } }]);
  // Until we go back, the failure sticks.
  ok(await coq.editAt(r.error.safeStateId!));
  const done = await run(coq, goal, 'exact I.', 'Qed.');
  assert.ok(done > goal);
  assert.equal(ok(await coq.goals()), undefined);
});

test('a sentence that does not parse fails at Add, naming no state', async () => {
  const coq = await start();
  const r = await coq.add('Check (.', coq.initialStateId);
  assert.ok(!r.ok);
  assert.match(r.error.message, /Syntax error/);
  assert.equal(r.error.safeStateId, undefined);
  assert.ok(r.error.loc);
  ok(await coq.add('Check 0.', coq.initialStateId));
  ok(await coq.status());
});

test('goals inside a proof', async () => {
  const coq = await start();
  // A bullet is a sentence of its own: Add("- split.") would run the bullet and silently drop "split.".
  const s = await run(coq, coq.initialStateId, 'Lemma l (n : nat) (H : n = 0) : (True /\\ n = 0) /\\ True.', 'split.', '-', 'split.');
  const g = ok(await coq.goals());
  assert.ok(g);
  assert.equal(g.goals.length, 2);
  assert.deepEqual(g.goals[0].hypotheses, ['n : nat', 'H : n = 0']);
  assert.equal(g.goals[0].conclusion, 'True');
  assert.equal(g.goals[1].conclusion, 'n = 0');
  assert.equal(g.backgroundCount, 1);
  assert.equal(g.shelvedCount, 0);
  // Query output is the query's answer, not a message.
  const messages: string[] = [];
  const q = await start({ onMessage: (m) => messages.push(m.message) });
  const a = await run(q, q.initialStateId, 'Definition a := 1 + 1.');
  messages.length = 0;
  assert.equal(ok(await q.query('Check a. Print a.', a)), 'a\n     : nat\na = 1 + 1\n     : nat');
  assert.deepEqual(messages, []);
  const failed = await q.query('Check nope.', a);
  assert.ok(!failed.ok);
  assert.match(failed.error.message, /nope was not found/);
  assert.ok(s > 0);
});

test('interrupt() stops an endless tactic promptly; the process goes on', async (t) => {
  const coq = await start();
  const proof = await run(coq, coq.initialStateId, 'Goal True.', 'Ltac loop := idtac; loop.');
  ok(await coq.add('loop.', proof));
  const running = coq.status();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  coq.interrupt();
  const r = await running;
  const ms = performance.now() - t0;
  t.diagnostic(`interrupt to failure: ${ms.toFixed(1)} ms`);
  assert.ok(!r.ok);
  assert.equal(r.error.interrupted, true);
  assert.equal(r.error.message, 'User interrupt.');
  assert.equal(r.error.safeStateId, proof);
  assert.ok(ms < 1000);
  ok(await coq.editAt(proof));
  const qed = await run(coq, proof, 'exact I.', 'Qed.');
  // Idle: nothing to interrupt, and nothing stays pending inside Coq for the next call.
  coq.interrupt();
  ok(await coq.add('Check 0.', qed));
  ok(await coq.status());
});

test('an interrupt that comes too late does not fail the next call', async (t) => {
  const coq = await start();
  let interrupted = 0;
  for (let i = 0; i < 30; i++) {
    // Status with nothing to run answers at once: SIGINT often lands after the answer, leaving Coq's interrupt flag set.
    const p = coq.status();
    coq.interrupt();
    const r = await p;
    if (!r.ok) interrupted++;
    assert.ok(r.ok || r.error.interrupted);
    assert.equal((await coq.about()).coqVersion, '8.16.1');
  }
  ok(await coq.add('Check 0.', coq.initialStateId));
  ok(await coq.status());
  t.diagnostic(`${interrupted} of 30 instant calls were interrupted; the others left the interrupt to the absorber`);
});

test('kill() mid-call rejects the pending and queued calls, and later ones', async () => {
  const coq = await start();
  const proof = await run(coq, coq.initialStateId, 'Goal True.', 'Ltac loop := idtac; loop.');
  ok(await coq.add('loop.', proof));
  const running = coq.status();
  const queued = coq.about();
  await new Promise((r) => setTimeout(r, 200));
  coq.kill();
  await assert.rejects(running, /coqidetop was killed by SIGKILL/);
  await assert.rejects(queued, /coqidetop was killed by SIGKILL/);
  assert.deepEqual(await coq.exited, { code: null, signal: 'SIGKILL' });
  await assert.rejects(coq.goals(), /killed by SIGKILL/);
  assertGone(coq.pid);
});

test('quit() while a call runs forever: SIGKILL after 2 s, the call rejects', async () => {
  const coq = await start();
  const proof = await run(coq, coq.initialStateId, 'Goal True.', 'Ltac loop := idtac; loop.');
  ok(await coq.add('loop.', proof));
  const running = coq.status();
  const t0 = performance.now();
  await coq.quit();
  const ms = performance.now() - t0;
  assert.ok(ms >= 1900 && ms < 3000, `quit took ${ms} ms`);
  assert.deepEqual(await coq.exited, { code: null, signal: 'SIGKILL' });
  await assert.rejects(running, /killed by SIGKILL/);
  await assert.rejects(coq.about(), /killed by SIGKILL/);
});

test('locate finds the program on PATH or at its path without running it, and says clearly when it cannot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coqidetop-test-'));
  const [bin, other] = [join(dir, 'bin'), join(dir, 'other')];
  mkdirSync(bin);
  mkdirSync(other);
  mkdirSync(join(other, 'coqidetop.opt')); // a folder of that name is not the program
  writeFileSync(join(bin, 'coqidetop.opt'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  writeFileSync(join(other, 'plain.opt'), '', { mode: 0o644 });
  assert.equal(await CoqIdeTop.locate('coqidetop.opt', `${other}:${bin}`), join(bin, 'coqidetop.opt'));
  assert.equal(await CoqIdeTop.locate(join(bin, 'coqidetop.opt'), ''), join(bin, 'coqidetop.opt'));
  assert.equal(await CoqIdeTop.locate(relative(process.cwd(), join(bin, 'coqidetop.opt')), ''), join(bin, 'coqidetop.opt'), 'a relative path, made absolute');
  assert.match(await CoqIdeTop.locate(), /\/coqidetop\.opt$/, "the machine's Coq, on the real PATH");
  await assert.rejects(CoqIdeTop.locate('coqidetop.opt', other), /^Error: coqidetop.opt not found: install Coq \(apt-get install coq\)/);
  await assert.rejects(CoqIdeTop.locate('/nonexistent/coqidetop.opt'), /\/nonexistent\/coqidetop.opt not found: install Coq/);
  await assert.rejects(CoqIdeTop.locate('plain.opt', other), new RegExp(`${join(other, 'plain.opt')} cannot be run \\(permission denied\\)`));
});

test('start fails clearly: missing program, bad flag, hung program', async () => {
  await assert.rejects(CoqIdeTop.start({ path: '/nonexistent/coqidetop.opt' }), /\/nonexistent\/coqidetop.opt not found: install Coq \(apt-get install coq\)/);
  await assert.rejects(CoqIdeTop.start({ cwd: '/nonexistent' }), /working directory \/nonexistent does not exist/);
  await assert.rejects(CoqIdeTop.start({ args: ['-bogus'] }), /coqidetop exited with code 1 during startup: Unknown option -bogus/);
  const dir = mkdtempSync(join(tmpdir(), 'coqidetop-test-'));
  const hung = join(dir, 'hung.sh');
  writeFileSync(hung, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(hung, 0o755);
  await assert.rejects(CoqIdeTop.start({ path: hung, initTimeoutMs: 300 }), /did not answer Init within 300 ms/);
});

test('unparseable output fails the pending call and kills the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coqidetop-test-'));
  const fake = join(dir, 'fake.sh');
  // Answers Init, then writes broken markup for the next call.
  writeFileSync(fake, `#!/bin/sh\nprintf '<value val="good"><state_id val="1"/></value>'\nsleep 0.3\nprintf 'oops <value val="good"><unit></value>'\nexec sleep 30\n`);
  chmodSync(fake, 0o755);
  const stderr: string[] = [];
  const coq = await start({ path: fake, onStderr: (s) => stderr.push(s) });
  await assert.rejects(coq.about(), /unparseable output from coqidetop \(unexpected <\/value> inside <unit>\)/);
  assert.deepEqual(await coq.exited, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(stderr, ['[coqidetop stdout, not XML] oops ']);
  await assert.rejects(coq.about(), /killed by SIGKILL: unparseable output/);
});

test('a crash mid-call rejects with how it ended', async () => {
  const coq = await start();
  const proof = await run(coq, coq.initialStateId, 'Goal True.', 'Ltac loop := idtac; loop.');
  ok(await coq.add('loop.', proof));
  const running = coq.status();
  setTimeout(() => process.kill(coq.pid, 'SIGTERM'), 200);
  await assert.rejects(running, /coqidetop was killed by SIGTERM/);
});
