/** The generic pool with real child processes running the scripted fixture worker. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Pool, PoolOptions } from '../../server/src/pool/pool';
import type { Policy } from '../../server/src/pool/policy';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import type { ScriptedRequest } from '../fixtures/workers/scripted.fixture';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

const FIXTURE = join(__dirname, '..', 'fixtures', 'workers', 'scripted.fixture.js');

interface Task {
  name: string;
  request: ScriptedRequest;
  /** Preferred worker competence: the worker whose competence equals it costs 0. */
  wants?: string;
}

function makePool(size: number, overrides: Partial<PoolOptions<Task, ScriptedRequest, unknown, string>> = {}) {
  const { tag, env } = markedEnv();
  const deaths: (string | undefined)[] = [];
  const feedback: unknown[] = [];
  const policy: Policy<Task, ScriptedRequest, unknown, string> = {
    requestOfTask: (_status, task) => task.request,
    taskMatch: () => true,
    cost: (status, task) => (task.wants && status.kind === 'old' && status.competence === task.wants ? 0 : 1),
    useResponse: (_status, task) => ({ stay: task.name }),
    onCancelExpireOrDeath: (task) => deaths.push(task?.name),
    nameOfTask: (task) => task.name,
  };
  const pool = new Pool<Task, ScriptedRequest, unknown, string>({
    size,
    policy,
    spawn: (name) => WorkerProcess.spawn(name, { args: [FIXTURE], env, heartbeatTimeoutMs: 5000 }),
    onFeedback: (_task, item) => feedback.push(item),
    ...overrides,
  });
  return { pool, tag, deaths, feedback };
}

test('tasks run on worker processes and their responses come back, feedback first', async () => {
  const { pool, tag, feedback } = makePool(2);
  const handles = [1, 2, 3].map((n) => pool.submit({ name: `t${n}`, request: { do: 'echo', value: n * 10, feedback: [`f${n}`] } }));
  const outcomes = await Promise.all(handles.map((h) => h.done));
  assert.deepEqual(outcomes.map((o) => o.ok && o.response), [10, 20, 30]);
  assert.deepEqual([...feedback].sort(), ['f1', 'f2', 'f3']);
  await pool.join();
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('among idle workers, the one with the lowest cost gets the task', async () => {
  const { pool, tag } = makePool(2);
  await waitFor(() => pool.workers().every((w) => w.state === 'idle'), 'two idle workers');
  await pool.submit({ name: 'first', request: { do: 'echo', value: 1 } }).done;
  const holder = pool.workers().find((w) => w.tasksDone === 1)!;
  await pool.submit({ name: 'second', request: { do: 'echo', value: 2 }, wants: 'first' }).done;
  assert.equal(pool.workers().find((w) => w.id === holder.id)!.tasksDone, 2, 'the worker that holds "first" took it');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('a worker that crashes mid-task fails that task only and is replaced', async () => {
  const { pool, tag, deaths } = makePool(1);
  const crashed = await pool.submit({ name: 'boom', request: { do: 'crash', code: 7 } }).done;
  assert.equal(crashed.ok, false);
  assert.equal(!crashed.ok && crashed.error.reason, 'worker-died');
  assert.match(!crashed.ok ? crashed.error.message : '', /exited with code 7/);
  assert.deepEqual(deaths, ['boom']);
  const after = await pool.submit({ name: 'next', request: { do: 'echo', value: 'fine' } }).done;
  assert.deepEqual(after, { ok: true, response: 'fine' });
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('an exception in a worker handler fails the task and the worker keeps serving', async () => {
  const { pool, tag } = makePool(1);
  const failed = await pool.submit({ name: 'throws', request: { do: 'throw', message: 'nope' } }).done;
  assert.equal(!failed.ok && failed.error.reason, 'exception');
  assert.match(!failed.ok ? failed.error.message : '', /nope/);
  const pid = pool.workers()[0].pid;
  assert.deepEqual(await pool.submit({ name: 'next', request: { do: 'echo', value: 1 } }).done, { ok: true, response: 1 });
  assert.equal(pool.workers()[0].pid, pid, 'same process');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('killing a busy worker fails its task as killed and a fresh worker takes its place', async () => {
  const { pool, tag } = makePool(1);
  const long = pool.submit({ name: 'long', request: { do: 'sleep', ms: 60_000 } });
  const busy = await waitFor(() => pool.workers().find((w) => w.state === 'busy'), 'a busy worker');
  assert.equal(await pool.killWorker(busy.id), true);
  const outcome = await long.done;
  assert.equal(!outcome.ok && outcome.error.reason, 'killed');
  const fresh = await waitFor(() => pool.workers().find((w) => w.state === 'idle'), 'a replacement worker');
  assert.notEqual(fresh.id, busy.id);
  assert.notEqual(fresh.pid, busy.pid);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('cancelling a queued task means it is never sent; cancelling a running one interrupts it', async () => {
  const { pool, tag } = makePool(1);
  const running = pool.submit({ name: 'running', request: { do: 'sleep', ms: 60_000 } });
  const queued = pool.submit({ name: 'queued', request: { do: 'crash', code: 1 } });
  await waitFor(() => pool.workers().some((w) => w.task === 'running'), 'the first task to run');
  queued.cancel();
  running.cancel();
  assert.equal((await queued.done).ok, false);
  assert.equal((await running.done).ok, false);
  await pool.join();
  const pid = pool.workers()[0].pid;
  assert.deepEqual(await pool.submit({ name: 'after', request: { do: 'echo', value: 1 } }).done, { ok: true, response: 1 });
  assert.equal(pool.workers()[0].pid, pid, 'the interrupted worker stopped in time and was kept; the crash was never sent');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('when workers cannot start, the pool gives up after a few tries and says why', async () => {
  let reported: string | undefined;
  const { tag, env } = markedEnv();
  const { pool } = makePool(2, {
    spawn: (name) => WorkerProcess.spawn(name, { args: ['/nonexistent/worker.js'], env, connectionTimeoutMs: 5000 }),
    onSpawnFailure: (error) => (reported = error.message),
  });
  const outcome = await pool.submit({ name: 'never', request: { do: 'echo', value: 1 } }).done;
  assert.equal(outcome.ok, false);
  assert.match(reported ?? '', /exited with code 1 before it was ready/);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('a worker whose pool goes away exits on its own', async () => {
  const { tag, env } = markedEnv();
  // Heartbeats far rarer than the worker's timeout: the pipes stay open, but the worker hears silence.
  const worker = await WorkerProcess.spawn('lonely', { args: [FIXTURE], env, heartbeatTimeoutMs: 500, heartbeatIntervalMs: 60_000 });
  assert.ok(worker.alive);
  const exit = await worker.exited;
  assert.equal(exit.code, 3);
  await assertNoneLeft(tag);
});

test('a worker whose memory passes the limit mid-task is ended: its task fails with reason memory, a fresh worker takes its place', async () => {
  const over: string[] = [];
  const { pool, tag } = makePool(1, {
    memoryLimitBytes: 400 * 2 ** 20,
    memoryCheckIntervalMs: 100,
    onWorkerOverMemory: (name) => over.push(name),
  });
  const first = await waitFor(() => pool.workers().find((w) => w.state === 'idle'), 'an idle worker');
  assert.deepEqual(await pool.submit({ name: 'small', request: { do: 'echo', value: 1 } }).done, { ok: true, response: 1 });
  // Held forever once grown, and growing in steps far slower than the checks: it is seen over the limit while busy.
  const grown = await pool.submit({ name: 'grow', request: { do: 'grow', mb: 4000, stepMb: 50, stepMs: 50 } }).done;
  assert.equal(!grown.ok && grown.error.reason, 'memory');
  assert.match(!grown.ok ? grown.error.message : '', /^worker 1 exceeded the worker memory limit \(400 MiB\), holding \d+ MiB$/);
  assert.equal(over.length, 1);
  const replacement = await waitFor(() => pool.workers().find((w) => w.state === 'idle' && w.pid !== first.pid), 'a fresh worker');
  assert.equal(replacement.status, 'fresh');
  assert.equal(pool.workers().length, 1);
  await pool.destroy();
  await assertNoneLeft(tag);
});
