/**
 * Checklist items 17–26 (Tezt's Scheduler): term and kill timeouts, start/message/finish hooks,
 * tasks added while running, timers, worker reuse and replacement, unexpected exits, idle
 * workers retiring, stop and clear, process statuses — with real worker processes.
 */
import assert from 'node:assert/strict';
import { test, TestContext } from 'node:test';
import { describeProcessStatus } from '../../server/src/pool/processStatus';
import type { TaskOutcome } from '../../server/src/pool/types';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import { deferred, delay, exists, fixture, ScriptedPool, scriptedPool } from '../fixtures/workers/harness';
import type { WhoAmI } from '../fixtures/workers/scriptedHandler';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

function cleanup(t: TestContext, pool: ScriptedPool): void {
  t.after(() => pool.destroy());
}

const reasonOf = (outcome: TaskOutcome<unknown>) => (outcome.ok ? 'ok' : outcome.error.reason);
const pidOf = (outcome: TaskOutcome<unknown>) => (outcome.ok ? (outcome.response as WhoAmI).pid : -1);

test('[seeds 17] termTimeout sends the configured signal; the task fails as a timeout', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  let termHooks = 0;
  const outcome = await pool.submit(
    { name: 'slow', request: { do: 'sleep', ms: 60_000 } },
    { termTimeoutMs: 300, termSignal: 'SIGINT', onTermTimeout: () => termHooks++ },
  ).done;
  assert.equal(reasonOf(outcome), 'timeout');
  assert.equal(!outcome.ok && outcome.error.exit?.signal, 'SIGINT', 'the configured signal, not SIGTERM');
  assert.equal(termHooks, 1);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 17] killTimeout sends SIGKILL counted from the term signal', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  assert.equal(reasonOf(await pool.submit({ name: 'deaf', request: { do: 'ignoreSigterm' } }).done), 'ok');
  let termAt = 0;
  let killAt = 0;
  const outcome = await pool.submit(
    { name: 'stubborn', request: { do: 'sleep', ms: 60_000 } },
    { termTimeoutMs: 200, killTimeoutMs: 600, onTermTimeout: () => (termAt = Date.now()), onKillTimeout: () => (killAt = Date.now()) },
  ).done;
  assert.equal(reasonOf(outcome), 'timeout');
  assert.equal(!outcome.ok && outcome.error.exit?.signal, 'SIGKILL', 'SIGTERM was ignored, SIGKILL was not');
  assert.ok(termAt > 0 && killAt > 0);
  assert.ok(killAt - termAt >= 580, `SIGKILL ${killAt - termAt} ms after SIGTERM, not counted from the start`);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 17] killTimeout alone sends SIGKILL counted from the start of the task', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  let startAt = 0;
  let killAt = 0;
  let termHooks = 0;
  const outcome = await pool.submit(
    { name: 'slow', request: { do: 'sleep', ms: 60_000 } },
    { killTimeoutMs: 400, onStart: () => (startAt = Date.now()), onTermTimeout: () => termHooks++, onKillTimeout: () => (killAt = Date.now()) },
  ).done;
  assert.equal(reasonOf(outcome), 'timeout');
  assert.equal(!outcome.ok && outcome.error.exit?.signal, 'SIGKILL');
  assert.equal(termHooks, 0);
  assert.ok(killAt - startAt >= 380, `SIGKILL ${killAt - startAt} ms after the start`);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 18] onStart fires at dispatch, before any onMessage of that task, and can message the worker', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const events: unknown[] = [];
  const outcome = await pool.submit(
    { name: 'talk', request: { do: 'awaitMessages', count: 2 } },
    {
      onStart: (context) => {
        events.push(`start on ${context.worker}`);
        context.send('hello');
        context.send({ port: 4242 });
      },
      onMessage: (_context, message) => events.push(message),
      onFinish: (result) => events.push(reasonOf(result)),
    },
  ).done;
  assert.deepEqual(outcome, { ok: true, response: ['hello', { port: 4242 }] });
  assert.deepEqual(events, ['start on worker 1', { echo: 'hello' }, { echo: { port: 4242 } }, 'ok']);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 19] onFinish fires exactly once per task: ok with the value, or an error with the reason', async (t) => {
  const { pool, tag } = scriptedPool(2, { cancelGraceMs: 200 });
  cleanup(t, pool);
  const finishes = new Map<string, TaskOutcome<unknown>[]>();
  const track = (name: string) => ({ onFinish: (outcome: TaskOutcome<unknown>) => finishes.set(name, [...(finishes.get(name) ?? []), outcome]) });
  const handles = [
    pool.submit({ name: 'ok', request: { do: 'echo', value: 42 } }, track('ok')),
    pool.submit({ name: 'exception', request: { do: 'throw', message: 'nope' } }, track('exception')),
    pool.submit({ name: 'timeout', request: { do: 'sleep', ms: 60_000 } }, { termTimeoutMs: 200, ...track('timeout') }),
    pool.submit({ name: 'died', request: { do: 'crash', code: 3 } }, track('died')),
  ];
  for (const handle of handles) await handle.done;
  const killed = pool.submit({ name: 'killed', request: { do: 'sleep', ms: 60_000 } }, track('killed'));
  const busy = await waitFor(() => pool.workers().find((w) => w.task === 'killed'), 'the task to be killed to run');
  await pool.killWorker(busy.id);
  await killed.done;
  const cancelled = pool.submit({ name: 'cancelled', request: { do: 'sleep', ms: 60_000 } }, track('cancelled'));
  await waitFor(() => pool.workers().find((w) => w.task === 'cancelled'), 'the task to be cancelled to run');
  cancelled.cancel();
  await cancelled.done;
  // Asking again changes nothing.
  for (const handle of [...handles, killed, cancelled]) handle.cancel();
  await pool.join();
  const only = (name: string) => {
    const list = finishes.get(name) ?? [];
    assert.equal(list.length, 1, `${name}: onFinish ${list.length} times`);
    return list[0];
  };
  assert.deepEqual(only('ok'), { ok: true, response: 42 });
  const exception = only('exception');
  assert.equal(reasonOf(exception), 'exception');
  assert.match(!exception.ok ? exception.error.message : '', /nope/, 'the exception text');
  assert.equal(reasonOf(only('timeout')), 'timeout');
  assert.equal(reasonOf(only('died')), 'worker-died');
  assert.equal(reasonOf(only('killed')), 'killed');
  assert.equal(reasonOf(only('cancelled')), 'cancelled');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 20] tasks can be added from onStart, onMessage, onFinish and onEmptyQueue during a run', async (t) => {
  const done: string[] = [];
  let askedOnce = false;
  const { pool, tag } = scriptedPool(2, {
    onFinish: (task, outcome) => outcome.ok && done.push(task.name),
    onEmptyQueue: () => {
      if (askedOnce) return;
      askedOnce = true;
      pool.submit({ name: 'from onEmptyQueue', request: { do: 'echo', value: 0 } });
    },
  });
  cleanup(t, pool);
  const add = (name: string) => () => void pool.submit({ name, request: { do: 'echo', value: name } });
  pool.submit(
    { name: 'root', request: { do: 'echo', value: 'root', feedback: ['tick'] } },
    { onStart: add('from onStart'), onMessage: add('from onMessage'), onFinish: add('from onFinish') },
  );
  await waitFor(() => done.length === 5, 'five tasks');
  await pool.join();
  assert.deepEqual([...done].sort(), ['from onEmptyQueue', 'from onFinish', 'from onMessage', 'from onStart', 'root']);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 21] a pending timer keeps the run alive; cancelling a fired timer does nothing', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  await waitFor(() => pool.workers().some((w) => w.state === 'idle'), 'an idle worker');
  let lateDone = false;
  const timer = pool.timer(300, () => {
    void pool.submit({ name: 'from a timer', request: { do: 'echo', value: 1 } }).done.then(() => (lateDone = true));
  });
  assert.equal(timer.pending, true);
  await pool.join();
  assert.equal(lateDone, true, 'join waited for the timer and for the task it added');
  assert.equal(timer.pending, false);
  timer.cancel(); // fired already: nothing happens
  await pool.join();
  // A pending timer that is cancelled lets the run end without it.
  let ran = false;
  const never = pool.timer(60_000, () => (ran = true));
  let joined = false;
  const join = pool.join().then(() => (joined = true));
  await delay(100);
  assert.equal(joined, false);
  never.cancel();
  await join;
  assert.equal(ran, false);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 22] workers are reused across tasks; a worker killed by a timeout is replaced for the next task', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const pids = [];
  for (let i = 0; i < 3; i++) pids.push(pidOf(await pool.submit({ name: `t${i}`, request: { do: 'whoami' } }).done));
  assert.equal(new Set(pids).size, 1, 'one process for three tasks');
  assert.equal(pool.workers()[0].tasksDone, 3);
  assert.equal(reasonOf(await pool.submit({ name: 'too slow', request: { do: 'sleep', ms: 60_000 } }, { termTimeoutMs: 200 }).done), 'timeout');
  const next = pidOf(await pool.submit({ name: 'next', request: { do: 'whoami' } }).done);
  assert.ok(next > 0 && next !== pids[0], 'a new process');
  assert.equal(exists(pids[0]), false);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 23] an unexpected worker exit is reported to a hook and never crashes the manager', async (t) => {
  const reported: string[] = [];
  const hookErrors: string[] = [];
  const { pool, tag } = scriptedPool(1, {
    onUnexpectedWorkerExit: (name, exit) => {
      reported.push(`${name} ${exit.description}`);
      throw new Error('a hook that throws');
    },
    onHookError: (_error, hook) => hookErrors.push(hook),
  });
  cleanup(t, pool);
  assert.equal(reasonOf(await pool.submit({ name: 'crash', request: { do: 'crash', code: 5 } }).done), 'worker-died');
  const idle = await waitFor(() => pool.workers().find((w) => w.state === 'idle'), 'a replacement');
  process.kill(idle.pid, 'SIGKILL'); // from outside, while idle
  await waitFor(() => reported.length === 2, 'both exits reported');
  assert.match(reported[0], /exited with code 5/);
  assert.match(reported[1], /was killed by SIGKILL/);
  assert.deepEqual(hookErrors, ['onUnexpectedWorkerExit', 'onUnexpectedWorkerExit']);
  assert.deepEqual(await pool.submit({ name: 'still fine', request: { do: 'echo', value: 1 } }).done, { ok: true, response: 1 });
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 24] idle workers retire after workerIdleTimeout with SIGTERM, and come back when tasks do', async (t) => {
  const retired = deferred<string>();
  const { pool, tag } = scriptedPool(1, {
    workerIdleTimeoutMs: 300,
    workerKillTimeoutMs: 10_000,
    onWorkerRetired: (_name, exit) => retired.resolve(exit.description),
  });
  cleanup(t, pool);
  const first = pidOf(await pool.submit({ name: 'one', request: { do: 'whoami' } }).done);
  assert.match(await retired.promise, /was killed by SIGTERM/);
  await waitFor(() => pool.workers().length === 0, 'no worker left while nothing is queued');
  const second = pidOf(await pool.submit({ name: 'two', request: { do: 'whoami' } }).done);
  assert.ok(second > 0 && second !== first, 'a new worker for new work');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 24] a retiring worker that ignores SIGTERM gets SIGKILL after workerKillTimeout', async (t) => {
  const retired = deferred<{ signal: string | null; at: number }>();
  let killHookAt = 0;
  const { pool, tag } = scriptedPool(1, {
    workerIdleTimeoutMs: 300,
    workerKillTimeoutMs: 500,
    onWorkerKillTimeout: () => (killHookAt = Date.now()),
    onWorkerRetired: (_name, exit) => retired.resolve({ signal: exit.signal, at: Date.now() }),
  });
  cleanup(t, pool);
  const lastTaskAt = Date.now();
  assert.equal(reasonOf(await pool.submit({ name: 'deaf', request: { do: 'ignoreSigterm' } }).done), 'ok');
  const { signal, at } = await retired.promise;
  assert.equal(signal, 'SIGKILL');
  assert.ok(killHookAt > 0, 'onWorkerKillTimeout was called');
  assert.ok(at - lastTaskAt >= 300 + 500 - 40, `retired ${at - lastTaskAt} ms after its last task`);
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 25] stop starts no new task and terminates running ones; clear drops queued tasks', async (t) => {
  const { pool, tag } = scriptedPool(1);
  cleanup(t, pool);
  const started: string[] = [];
  const finished: string[] = [];
  const track = (name: string) => ({ onStart: () => started.push(name), onFinish: () => finished.push(name) });
  const running = pool.submit({ name: 'running', request: { do: 'sleep', ms: 60_000 } }, track('running'));
  const queued = ['q1', 'q2'].map((name) => pool.submit({ name, request: { do: 'echo', value: name } }, track(name)));
  await waitFor(() => started.includes('running'), 'the first task to run');
  pool.stop();
  const stopped = await running.done;
  assert.equal(reasonOf(stopped), 'cancelled');
  assert.equal(!stopped.ok && stopped.error.exit?.signal, 'SIGTERM', 'its worker was terminated');
  await pool.join(); // a stopped run ends with tasks still queued
  assert.deepEqual(started, ['running'], 'nothing new started');
  pool.clear();
  for (const handle of queued) assert.equal(reasonOf(await handle.done), 'cancelled');
  assert.deepEqual(finished, ['running'], 'dropped tasks never started, so they get no onFinish');
  const later = pool.submit({ name: 'later', request: { do: 'echo', value: 'later' } }, track('later'));
  await delay(100);
  assert.deepEqual(started, ['running'], 'still stopped');
  pool.resume();
  assert.deepEqual(await later.done, { ok: true, response: 'later' });
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 26] a process status reads as a sentence', async () => {
  const { tag, env } = markedEnv();
  const spawn = (name: string) => WorkerProcess.spawn(name, { args: [fixture('scripted')], env });
  const exitsCleanly = await spawn('clean');
  void exitsCleanly.run(1, { do: 'crash', code: 0 }).catch(() => {});
  assert.equal((await exitsCleanly.exited).description, 'clean exited with code 0');
  const terminated = await spawn('terminated');
  assert.equal((await terminated.kill('SIGTERM')).description, 'terminated was killed by SIGTERM');
  const killed = await spawn('killed');
  assert.equal((await killed.kill('SIGKILL')).description, 'killed was killed by SIGKILL');
  assert.equal(describeProcessStatus({ kind: 'exited', code: 0 }), 'exited with code 0');
  assert.equal(describeProcessStatus({ kind: 'killed', signal: 15 }), 'was killed by SIGTERM');
  assert.equal(describeProcessStatus({ kind: 'stopped', signal: -100 }), 'was stopped by unknown signal (-100)');
  await assertNoneLeft(tag);
});

