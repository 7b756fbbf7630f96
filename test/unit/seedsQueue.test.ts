/**
 * Checklist items 1–16 (Coq's AsyncTaskQueue): queue order, matching, competence, injected tasks,
 * expiry, feedback, death, marshal errors, cancellation, join and execution tokens — each with
 * real worker processes running the scripted fixture.
 */
import assert from 'node:assert/strict';
import { test, TestContext } from 'node:test';
import { MessageDecodeError } from '../../server/src/pool/errors';
import { Pool } from '../../server/src/pool/pool';
import { ExecutionTokens } from '../../server/src/pool/tokens';
import type { SchedulerContext, TaskOutcome } from '../../server/src/pool/types';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import { delay, exists, fixture, recordingPolicy, ScriptedPool, scriptedPool, ScriptedTask } from '../fixtures/workers/harness';
import type { WhoAmI } from '../fixtures/workers/scriptedHandler';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

function cleanup(t: TestContext, pool: ScriptedPool): void {
  t.after(() => pool.destroy());
}

/** A task that holds its worker until the test sends it a message. */
function gate(pool: ScriptedPool, name = 'gate') {
  let context: SchedulerContext | undefined;
  const handle = pool.submit({ name, request: { do: 'awaitMessages', count: 1 } }, { onStart: (c) => (context = c) });
  return {
    handle,
    started: () => waitFor(() => context, `${name} to start`),
    open: () => context!.send('go'),
  };
}

const reasonOf = (outcome: TaskOutcome<unknown>) => (outcome.ok ? 'ok' : outcome.error.reason);

test('[seeds 1] the queue is FIFO by default; a new order re-sorts queued and future tasks', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const started: string[] = [];
  const submit = (name: string) => pool.submit({ name, request: { do: 'echo', value: name } }, { onStart: () => started.push(name) });

  let blocker = gate(pool);
  await blocker.started();
  const fifo = ['t1', 't2', 't3'].map(submit);
  blocker.open();
  await Promise.all(fifo.map((h) => h.done));
  assert.deepEqual(started, ['t1', 't2', 't3']);

  started.length = 0;
  blocker = gate(pool, 'gate2');
  await blocker.started();
  const queued = ['b', 'd'].map(submit);
  pool.setOrder((x, y) => y.name.localeCompare(x.name)); // reverse alphabetical: re-sorts b, d
  const future = ['c', 'a'].map(submit); // placed by the order too
  blocker.open();
  await Promise.all([...queued, ...future].map((h) => h.done));
  assert.deepEqual(started, ['d', 'c', 'b', 'a']);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 2] a free worker takes the first task taskMatch accepts; refused tasks stay queued', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const started: string[] = [];
  const blocker = gate(pool);
  await blocker.started();
  const refused = pool.submit({ name: 'refused', request: { do: 'echo', value: 0 }, refuse: () => true }, { onStart: () => started.push('refused') });
  const accepted = pool.submit({ name: 'accepted', request: { do: 'echo', value: 1 } }, { onStart: () => started.push('accepted') });
  blocker.open();
  assert.deepEqual(await accepted.done, { ok: true, response: 1 });
  await blocker.handle.done;
  assert.deepEqual(started, ['accepted'], 'the refused task was passed over, not run');
  refused.cancel();
  assert.equal(reasonOf(await refused.done), 'cancelled');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 2] among several idle workers that match, the one with the lowest cost gets the task', async (t) => {
  const { pool, tag } = scriptedPool(2);
  cleanup(t, pool);
  await waitFor(() => pool.workers().filter((w) => w.state === 'idle').length === 2, 'two idle workers');
  const first = (await pool.submit({ name: 'first', request: { do: 'whoami' } }).done) as { ok: true; response: WhoAmI };
  for (let i = 0; i < 3; i++) {
    const again = (await pool.submit({ name: `again ${i}`, request: { do: 'whoami' }, wants: 'first', use: () => ({ stay: 'first' }) }).done) as {
      ok: true;
      response: WhoAmI;
    };
    assert.equal(again.response.pid, first.response.pid, 'the worker holding "first" costs 0');
  }
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 3] broadcast makes idle workers look again at tasks they refused', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  let blocked = true;
  const started: string[] = [];
  const waiting = pool.submit({ name: 'waiting', request: { do: 'echo', value: 'ran' }, refuse: () => blocked }, { onStart: () => started.push('waiting') });
  // Other work comes and goes: the worker looks at the queue each time and still refuses.
  assert.deepEqual(await pool.submit({ name: 'other', request: { do: 'echo', value: 1 } }).done, { ok: true, response: 1 });
  assert.deepEqual(started, []);
  blocked = false;
  await delay(100);
  assert.deepEqual(started, [], 'nothing tells an idle worker to look again but a broadcast');
  pool.broadcast();
  assert.deepEqual(started, ['waiting'], 'the broadcast handed it over at once');
  assert.deepEqual(await waiting.done, { ok: true, response: 'ran' });
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 4] requestOfTask returning undefined drops the task: no callbacks, the worker stays idle', async (t) => {
  const { pool, tag, log } = scriptedPool(1);
  cleanup(t, pool);
  const worker = await waitFor(() => pool.workers().find((w) => w.state === 'idle'), 'an idle worker');
  const hooks: string[] = [];
  const expired = pool.submit(
    { name: 'expired', request: { do: 'crash', code: 1 }, expired: true },
    { onStart: () => hooks.push('start'), onFinish: () => hooks.push('finish') },
  );
  const outcome = await expired.done;
  assert.equal(reasonOf(outcome), 'expired');
  assert.deepEqual(hooks, [], 'neither onStart nor onFinish');
  assert.deepEqual(log.responses, [], 'no useResponse');
  assert.deepEqual(log.deaths, [], 'no onCancelExpireOrDeath');
  const [now] = pool.workers();
  assert.equal(now.state, 'idle');
  assert.equal(now.pid, worker.pid, 'the crash was never sent');
  const next = (await pool.submit({ name: 'next', request: { do: 'whoami' } }).done) as { ok: true; response: WhoAmI };
  assert.equal(next.response.pid, worker.pid);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 5] feedback from a running task is forwarded in arrival order, before its final response', async (t) => {
  const poolFeedback: unknown[] = [];
  const { pool, tag, log } = scriptedPool(1, { onFeedback: (_task, item) => poolFeedback.push(item) });
  cleanup(t, pool);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const taskMessages: unknown[] = [];
  let seenAtFinish = -1;
  const handle = pool.submit(
    { name: 'chatty', request: { do: 'echo', value: 'done', feedback: items } },
    { onMessage: (_c, message) => taskMessages.push(message), onFinish: () => (seenAtFinish = log.forwarded.length) },
  );
  assert.deepEqual(await handle.done, { ok: true, response: 'done' });
  assert.deepEqual(log.forwarded, items, 'policy.forwardFeedback, in order');
  assert.deepEqual(taskMessages, items, "the task's onMessage, in order");
  assert.deepEqual(poolFeedback, items, "the pool's onFeedback, in order");
  assert.equal(seenAtFinish, items.length, 'all of it before the response');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 6] stay keeps the process as old(c) and queues the injected tasks before that worker picks again', async (t) => {
  const { pool, tag, log } = scriptedPool(1);
  cleanup(t, pool);
  const blocker = gate(pool);
  await blocker.started();
  const pidOf = (outcome: TaskOutcome<unknown>) => (outcome.ok ? (outcome.response as WhoAmI).pid : -1);
  const child = (name: string): ScriptedTask => ({ name, request: { do: 'whoami' } });
  const parent = pool.submit({ name: 'parent', request: { do: 'whoami' }, use: () => ({ stay: 'parent state', inject: [child('child 1'), child('child 2')] }) });
  const later = pool.submit({ name: 'later', request: { do: 'whoami' } });
  blocker.open();
  const parentOutcome = await parent.done;
  await later.done;
  await pool.join();
  assert.deepEqual(
    log.requests.map((r) => r.task),
    ['gate', 'parent', 'child 1', 'child 2', 'later'],
    'the injected tasks went before the task queued earlier',
  );
  const childRequest = log.requests.find((r) => r.task === 'child 1')!;
  assert.deepEqual(childRequest.status, { kind: 'old', competence: 'parent state' });
  assert.equal(pool.workers()[0].pid, pidOf(parentOutcome), 'the same process throughout');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 7] injected tasks share their parent cancellation: cancelling the parent removes them too', async (t) => {
  const outcomes = new Map<string, TaskOutcome<unknown>>();
  const { pool, tag } = scriptedPool(1, { onFinish: (task, outcome) => outcomes.set(task.name, outcome) });
  cleanup(t, pool);
  const parent = pool.submit({
    name: 'parent',
    request: { do: 'echo', value: 'parent' },
    use: () => ({
      stay: 'parent',
      inject: [
        { name: 'child running', request: { do: 'sleep', ms: 60_000 } },
        { name: 'child queued', request: { do: 'crash', code: 1 } },
      ],
    }),
  });
  assert.equal(reasonOf(await parent.done), 'ok');
  const busy = await waitFor(() => pool.workers().find((w) => w.task === 'child running'), 'the first child to run');
  parent.cancel(); // the parent has finished; its children have not
  await waitFor(() => outcomes.has('child queued') && outcomes.has('child running'), 'both children to end');
  assert.equal(reasonOf(outcomes.get('child running')!), 'cancelled');
  assert.equal(reasonOf(outcomes.get('child queued')!), 'cancelled');
  await pool.join();
  assert.equal(pool.workers()[0].pid, busy.pid, 'the running child was interrupted, the queued one (a crash) never sent');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 8] end kills the process and starts a fresh replacement; the pool keeps its size', async (t) => {
  const { pool, tag } = scriptedPool(2);
  cleanup(t, pool);
  const ended = (await pool.submit({ name: 'one shot', request: { do: 'whoami' }, use: () => 'end' }).done) as { ok: true; response: WhoAmI };
  assert.equal(ended.ok, true, 'the response still counts');
  await waitFor(() => !exists(ended.response.pid), 'the ended worker to be gone');
  const workers = await waitFor(() => {
    const all = pool.workers();
    return all.length === 2 && all.every((w) => w.state === 'idle') && all;
  }, 'two idle workers again');
  assert.ok(workers.every((w) => w.pid !== ended.response.pid && w.status === 'fresh'));
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 9] a task only an old(c) worker can serve is never handed to a fresh worker', async (t) => {
  const { pool, tag } = scriptedPool(2);
  cleanup(t, pool);
  await waitFor(() => pool.workers().filter((w) => w.state === 'idle').length === 2, 'two idle workers');
  const holder = (await pool.submit({ name: 'c', request: { do: 'whoami' } }).done) as { ok: true; response: WhoAmI };
  // Keep the competent worker busy; the other one is fresh and idle.
  let context: SchedulerContext | undefined;
  const busy = pool.submit({ name: 'busy', request: { do: 'awaitMessages', count: 1 }, requires: 'c', use: () => ({ stay: 'c' }) }, { onStart: (c) => (context = c) });
  await waitFor(() => context, 'the competent worker to be busy');
  const needsC = pool.submit({ name: 'needs c', request: { do: 'whoami' }, requires: 'c' });
  // The fresh worker takes other work meanwhile, and so looks at the queue, and still leaves it.
  const other = (await pool.submit({ name: 'other', request: { do: 'whoami' } }).done) as { ok: true; response: WhoAmI };
  assert.notEqual(other.response.pid, holder.response.pid);
  assert.ok(pool.workers().every((w) => w.task !== 'needs c'), 'still queued');
  context!.send('go');
  await busy.done;
  const served = (await needsC.done) as { ok: true; response: WhoAmI };
  assert.equal(served.response.pid, holder.response.pid);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 10] death mid-task calls onCancelExpireOrDeath(task) exactly once and fails that task', async (t) => {
  const { pool, tag, log } = scriptedPool(1);
  cleanup(t, pool);
  const crashed = await pool.submit({ name: 'boom', request: { do: 'crash', code: 7, afterFeedback: ['last words'] } }).done;
  assert.equal(reasonOf(crashed), 'worker-died');
  assert.equal(!crashed.ok && crashed.error.exit?.code, 7);
  assert.match(!crashed.ok ? crashed.error.message : '', /exited with code 7/);
  assert.deepEqual(await pool.submit({ name: 'next', request: { do: 'echo', value: 'fine' } }).done, { ok: true, response: 'fine' });
  await pool.join();
  assert.deepEqual(log.deaths, ['boom'], 'once, with the task');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 11] death while idle calls onCancelExpireOrDeath(undefined) and the worker is replaced', async (t) => {
  const unexpected: string[] = [];
  const { pool, tag, log } = scriptedPool(1, { onUnexpectedWorkerExit: (_name, exit) => unexpected.push(exit.description) });
  cleanup(t, pool);
  const answered = (await pool.submit({ name: 'then die', request: { do: 'crashLater', code: 4, ms: 200 } }).done) as { ok: true };
  assert.equal(answered.ok, true);
  const old = pool.workers()[0].pid;
  await waitFor(() => log.deaths.length === 1, 'the idle death to be reported');
  assert.deepEqual(log.deaths, [undefined]);
  assert.match(unexpected[0], /exited with code 4/);
  await waitFor(() => pool.workers().some((w) => w.state === 'idle' && w.pid !== old), 'a replacement');
  assert.equal(pool.workers().length, 1);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 12] a message that cannot be encoded or decoded calls onMarshalError; the task fails, the pool goes on', async (t) => {
  const { tag, env } = markedEnv();
  const { policy, log } = recordingPolicy();
  const pool: ScriptedPool = new Pool({
    size: 1,
    // Decoding: this policy only accepts numbers and strings as responses.
    policy: { ...policy, isResponse: (value): value is unknown => typeof value === 'number' || typeof value === 'string' },
    spawn: (name) => WorkerProcess.spawn(name, { args: [fixture('scripted')], env }),
  });
  cleanup(t, pool);
  // Cannot be encoded here: a BigInt in the request.
  const request = await pool.submit({ name: 'bigint request', request: { do: 'echo', value: BigInt(1) } }).done;
  assert.equal(reasonOf(request), 'marshal');
  // Cannot be encoded there: the worker's answer holds a BigInt.
  const response = await pool.submit({ name: 'bigint response', request: { do: 'unencodable' } }).done;
  assert.equal(reasonOf(response), 'marshal');
  // Cannot be decoded here: not a response of this policy.
  const shape = await pool.submit({ name: 'wrong shape', request: { do: 'echo', value: { an: 'object' } } }).done;
  assert.equal(reasonOf(shape), 'marshal');
  assert.ok(!shape.ok && shape.error.cause instanceof MessageDecodeError);
  assert.deepEqual(
    log.marshalErrors.map((e) => e.task),
    ['bigint request', 'bigint response', 'wrong shape'],
  );
  assert.deepEqual(await pool.submit({ name: 'after', request: { do: 'echo', value: 'checkable' } }).done, { ok: true, response: 'checkable' });
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 13] cancelling a running task stops its worker within a bounded time; cancelled queued tasks are never sent', async (t) => {
  const graceMs = 300;
  const { pool, tag, log } = scriptedPool(1, { cancelGraceMs: graceMs });
  cleanup(t, pool);
  // A task that honours the interrupt: the worker is kept.
  const polite = pool.submit({ name: 'polite', request: { do: 'sleep', ms: 60_000 } });
  const queued = pool.submit({ name: 'queued crash', request: { do: 'crash', code: 1 } });
  const first = await waitFor(() => pool.workers().find((w) => w.task === 'polite'), 'the polite task to run');
  queued.cancel();
  polite.cancel();
  assert.equal(reasonOf(await queued.done), 'cancelled');
  assert.equal(reasonOf(await polite.done), 'cancelled');
  await pool.join();
  assert.equal(pool.workers()[0].pid, first.pid, 'interrupted in time and kept; the crash was never sent');
  // A task that ignores the interrupt: killed after the grace period, and replaced.
  const stubborn = pool.submit({ name: 'stubborn', request: { do: 'hang' } });
  await waitFor(() => pool.workers().find((w) => w.task === 'stubborn'), 'the stubborn task to run');
  const cancelledAt = Date.now();
  stubborn.cancel();
  assert.equal(reasonOf(await stubborn.done), 'cancelled', 'the handle settles at once');
  await waitFor(() => !exists(first.pid), 'the stubborn worker to be killed', 15_000);
  const stoppedAfter = Date.now() - cancelledAt;
  assert.ok(stoppedAfter >= graceMs - 20, `killed after the grace period, not before (${stoppedAfter} ms)`);
  assert.ok(stoppedAfter < graceMs + 10_000, `within a bounded time (${stoppedAfter} ms)`);
  await waitFor(() => pool.workers().find((w) => w.state === 'idle' && w.pid !== first.pid), 'a replacement');
  assert.deepEqual(log.deaths, ['polite', 'stubborn'], 'each running cancelled task reported once');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 14] cancelAll empties the queue and replaces every worker; destroy leaves no process behind', async (t) => {
  const { pool, tag } = scriptedPool(2);
  cleanup(t, pool);
  const handles = [1, 2, 3, 4, 5].map((n) => pool.submit({ name: `t${n}`, request: { do: 'sleep', ms: 60_000 } }));
  const before = await waitFor(() => {
    const busy = pool.workers().filter((w) => w.state === 'busy');
    return busy.length === 2 && busy.map((w) => w.pid);
  }, 'two busy workers');
  await pool.cancelAll();
  for (const handle of handles) assert.equal(reasonOf(await handle.done), 'cancelled');
  assert.ok(before.every((pid) => !exists(pid)), 'the old workers are gone');
  const after = await waitFor(() => {
    const idle = pool.workers().filter((w) => w.state === 'idle');
    return idle.length === 2 && idle;
  }, 'two fresh workers');
  assert.ok(after.every((w) => !before.includes(w.pid) && w.status === 'fresh'));
  await pool.destroy();
  assert.deepEqual(pool.workers(), []);
  await assertNoneLeft(tag);
});

test('[seeds 15] join resolves only when the queue is empty and every worker is idle', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const blocker = gate(pool);
  await blocker.started();
  const queued = pool.submit({ name: 'queued', request: { do: 'echo', value: 1 } });
  let joined = false;
  const join = pool.join().then(() => (joined = true));
  await delay(200);
  assert.equal(joined, false, 'a worker is busy and a task is queued');
  let queuedDone = false;
  void queued.done.then(() => (queuedDone = true));
  blocker.open();
  await join;
  assert.equal(queuedDone, true, 'join came after the last task');
  assert.ok(pool.workers().every((w) => w.state === 'idle'));
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 16] a cap on concurrent computations (tokens) may be lower than the number of processes', async (t) => {
  let running = 0;
  let most = 0;
  const track = {
    onStart: () => (most = Math.max(most, ++running)),
    onFinish: () => running--,
  };
  const { pool, tag } = scriptedPool(3, { tokens: 1 });
  cleanup(t, pool);
  await waitFor(() => pool.workers().filter((w) => w.state === 'idle').length === 3, 'three workers');
  const handles = Array.from({ length: 6 }, (_, i) => pool.submit({ name: `t${i}`, request: { do: 'sleep', ms: 30 } }, track));
  for (const handle of handles) assert.equal(reasonOf(await handle.done), 'ok');
  assert.equal(most, 1, 'three processes, one token');
  // Tokens shared by two pools cap them together (Coq's coqworkmgr).
  const shared = new ExecutionTokens(1);
  const a = scriptedPool(1, { tokens: shared });
  const b = scriptedPool(1, { tokens: shared });
  cleanup(t, a.pool);
  cleanup(t, b.pool);
  running = 0;
  most = 0;
  const both = Array.from({ length: 4 }, (_, i) => (i % 2 ? a.pool : b.pool).submit({ name: `s${i}`, request: { do: 'sleep', ms: 30 } }, track));
  for (const handle of both) assert.equal(reasonOf(await handle.done), 'ok');
  assert.equal(most, 1, 'two pools, one shared token');
  await Promise.all([pool.destroy(), a.pool.destroy(), b.pool.destroy()]);
  await Promise.all([assertNoneLeft(tag), assertNoneLeft(a.tag), assertNoneLeft(b.tag)]);
});
