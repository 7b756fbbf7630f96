/**
 * Checklist items 27–35 (rpc_parallel): typed functions declared once, decode errors, stdout and
 * stderr, handshake versions, connection timeout, shutdown on a closed connection or missed
 * heartbeats, handler errors, spawn arguments and in-process serving, zombies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import * as protocol from '../../protocol/pool';
import { MessageDecodeError, WorkerSpawnError } from '../../server/src/pool/errors';
import { InProcessWorker } from '../../server/src/pool/inProcessWorker';
import { Pool } from '../../server/src/pool/pool';
import type { TaskOutcome } from '../../server/src/pool/types';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import { WorkerExitCodes } from '../../server/src/pool/workerRuntime';
import { SumAsTextRequest, SumRequest, TickNotification } from '../fixtures/workers/fixtureProtocol';
import { exists, fixture, recordingPolicy, ScriptedPool, scriptedPool, zombieChildren } from '../fixtures/workers/harness';
import { scriptedHandler, WhoAmI } from '../fixtures/workers/scriptedHandler';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

const reasonOf = (outcome: TaskOutcome<unknown>) => (outcome.ok ? 'ok' : outcome.error.reason);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

test('[seeds 27] requests and notifications are typed, declared once, and shared by both sides', async () => {
  const { tag, env } = markedEnv();
  // Each message of the pool protocol is declared once: a method string, its type, its guards.
  const specs = (Object.values(protocol) as unknown[]).filter(
    (value): value is { method: string; type: { method: string } } => typeof value === 'object' && value !== null && 'method' in value,
  );
  const methods = specs.map((spec) => spec.method);
  assert.deepEqual(new Set(methods).size, methods.length, 'no method string is declared twice');
  for (const spec of specs) assert.equal(spec.type.method, spec.method);
  assert.ok(methods.includes(protocol.RunRequest.method) && methods.includes(protocol.HandshakeRequest.method));
  // A worker function declared once (fixtureProtocol.ts), served by the fixture, called here, typed both ways.
  const worker = await WorkerProcess.spawn('typed', { args: [fixture('scripted')], env });
  const ticks: number[] = [];
  worker.onNotification(TickNotification, ({ count }) => ticks.push(count));
  const result = await worker.call(SumRequest, { numbers: [1, 2, 3] });
  assert.deepEqual(result, { sum: 6, pid: worker.pid });
  await waitFor(() => ticks.length === 1, 'the notification from the worker');
  assert.deepEqual(ticks, [1]);
  await worker.kill();
  await assertNoneLeft(tag);
});

test('[seeds 28] a decode of the wrong shape fails with a typed error naming the expected message', async () => {
  const { tag, env } = markedEnv();
  const worker = await WorkerProcess.spawn('decoder', { args: [fixture('scripted')], env });
  // The worker receives params of the wrong shape.
  const params = await rejection(worker.call(SumRequest, { numbers: 'one, two' } as never));
  assert.ok(params instanceof MessageDecodeError);
  assert.equal(params.method, 'fixture/sum');
  assert.equal(params.part, 'params');
  assert.match(params.expected, /SumParams/);
  // The pool receives a result of the wrong shape.
  const result = await rejection(worker.call(SumAsTextRequest, { numbers: [1] }));
  assert.ok(result instanceof MessageDecodeError);
  assert.equal(result.part, 'result');
  assert.equal(result.expected, 'a string');
  // The worker keeps serving.
  assert.equal((await worker.call(SumRequest, { numbers: [2, 2] })).sum, 4);
  await worker.kill();
  // A handshake answered with something else is a spawn error naming the handshake.
  const spawnError = await rejection(WorkerProcess.spawn('liar', { args: [fixture('liar')], env: { ...env, FIXTURE_LIE: 'shape' } }));
  assert.ok(spawnError instanceof WorkerSpawnError);
  assert.equal(spawnError.kind, 'handshake');
  assert.ok(spawnError.cause instanceof MessageDecodeError);
  assert.equal(spawnError.cause.method, 'pool/handshake');
  assert.match(spawnError.cause.expected, /HandshakeResult/);
  await assertNoneLeft(tag);
});

test('[seeds 29] what a worker prints never corrupts protocol frames; its stderr reaches the log with its name', async (t) => {
  const { pool, tag, stderr } = scriptedPool(1);
  t.after(() => pool.destroy());
  const outcome = await pool.submit({ name: 'noisy', request: { do: 'garbage', stderr: ['first words', 'second words'] } }).done;
  assert.deepEqual(outcome, { ok: true, response: 'clean' });
  for (let i = 0; i < 20; i++) assert.deepEqual(await pool.submit({ name: `after ${i}`, request: { do: 'echo', value: i } }).done, { ok: true, response: i });
  // Its stderr, and what it printed on stdout (a log line too, never a frame), reach the log named.
  const expected = ['[worker 1] first words', '[worker 1] second words', '[worker 1] more garbage straight to fd 1', '[worker 1] console.log garbage'];
  await waitFor(() => expected.every((line) => stderr.includes(line)), 'the lines in the log');
  assert.ok(stderr.some((line) => line.startsWith('[worker 1] garbage {"jsonrpc"')));
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 30] the handshake carries versions; a mismatch is a spawn error, not a hang', async () => {
  const { tag, env } = markedEnv();
  const startedAt = Date.now();
  const protocolMismatch = await rejection(
    WorkerProcess.spawn('other protocol', { args: [fixture('liar')], env: { ...env, FIXTURE_LIE: 'version' }, connectionTimeoutMs: 60_000 }),
  );
  assert.ok(protocolMismatch instanceof WorkerSpawnError);
  assert.equal(protocolMismatch.kind, 'version');
  assert.match(protocolMismatch.message, /speaks pool protocol/);
  assert.ok(Date.now() - startedAt < 30_000, 'it did not wait for the connection timeout');
  const programMismatch = await rejection(
    WorkerProcess.spawn('old program', { args: [fixture('scripted')], env: { ...env, FIXTURE_VERSION: '1.0' }, workerVersion: '2.0' }),
  );
  assert.ok(programMismatch instanceof WorkerSpawnError);
  assert.equal(programMismatch.kind, 'version');
  const matching = await WorkerProcess.spawn('same program', { args: [fixture('scripted')], env: { ...env, FIXTURE_VERSION: '2.0' }, workerVersion: '2.0' });
  assert.ok(matching.alive);
  await matching.kill();
  await assertNoneLeft(tag);
});

test('[seeds 31] a worker not ready within connectionTimeout fails the spawn and is terminated, then killed', async () => {
  const { tag, env } = markedEnv();
  const slow = { ...env, FIXTURE_START_MS: '60000' };
  const terminated = await rejection(WorkerProcess.spawn('slow', { args: [fixture('scripted')], env: slow, connectionTimeoutMs: 500 }));
  assert.ok(terminated instanceof WorkerSpawnError);
  assert.equal(terminated.kind, 'timeout');
  assert.equal(terminated.exit?.signal, 'SIGTERM', 'SIGTERM was enough');
  const killed = await rejection(
    WorkerProcess.spawn('slow and deaf', {
      args: [fixture('scripted')],
      env: { ...slow, FIXTURE_IGNORE_SIGTERM: '1' },
      // Long enough for Node to start and install the deaf handler, even on a loaded machine.
      connectionTimeoutMs: 3000,
      terminateGraceMs: 300,
    }),
  );
  assert.ok(killed instanceof WorkerSpawnError);
  assert.equal(killed.kind, 'timeout');
  assert.equal(killed.exit?.signal, 'SIGKILL', 'SIGTERM was ignored, so SIGKILL followed');
  await assertNoneLeft(tag);
});

test('[seeds 32] a worker that stops hearing heartbeats exits within the heartbeat timeout', async () => {
  const { tag, env } = markedEnv();
  // Heartbeats far rarer than the worker's timeout: the connection stays open, but the worker hears silence.
  const worker = await WorkerProcess.spawn('lonely', { args: [fixture('scripted')], env, heartbeatTimeoutMs: 500, heartbeatIntervalMs: 60_000 });
  const startedAt = Date.now();
  const exit = await worker.exited;
  assert.equal(exit.code, WorkerExitCodes.heartbeatsStopped);
  assert.ok(Date.now() - startedAt < 10_000);
  await assertNoneLeft(tag);
});

test('[seeds 32] killing the server with SIGKILL closes the workers connections and leaves no worker', async () => {
  const { tag, env } = markedEnv();
  const host = spawn(process.execPath, [fixture('host')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: host.stdout! }).once('line', resolve);
    host.once('exit', (code) => reject(new Error(`the host exited (${code}) before its workers were ready`)));
  });
  const workers = JSON.parse(line) as number[];
  assert.equal(workers.length, 2);
  assert.ok(workers.every(exists));
  const killedAt = Date.now();
  host.kill('SIGKILL');
  // Their heartbeat timeout is 120 s: only the closed connection can make them go this soon.
  await waitFor(() => workers.every((pid) => !exists(pid)), 'the workers to exit', 10_000);
  assert.ok(Date.now() - killedAt < 10_000);
  await assertNoneLeft(tag);
});

test('[seeds 33] an exception in a handler returns an error to the caller; the worker keeps serving', async (t) => {
  const { pool, tag } = scriptedPool(1);
  t.after(() => pool.destroy());
  const failed = await pool.submit({ name: 'throws', request: { do: 'throw', message: 'nope' } }).done;
  assert.equal(reasonOf(failed), 'exception');
  assert.match(!failed.ok ? failed.error.message : '', /nope/);
  const pid = pool.workers()[0].pid;
  for (let i = 0; i < 3; i++) assert.deepEqual(await pool.submit({ name: `next ${i}`, request: { do: 'echo', value: i } }).done, { ok: true, response: i });
  assert.equal(pool.workers()[0].pid, pid, 'the same process');
  await pool.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 34] spawn takes a name, an environment and a working directory', async () => {
  const { tag, env } = markedEnv();
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'proofpool-cwd-')));
  try {
    const worker = await WorkerProcess.spawn('alice', { args: [fixture('scripted')], env: { ...env, FIXTURE_COLOUR: 'blue' }, cwd: dir });
    const who = (await worker.run(1, { do: 'whoami', envVar: 'FIXTURE_COLOUR' })) as WhoAmI;
    assert.deepEqual(who, { pid: worker.pid, cwd: dir, name: 'alice', env: 'blue' });
    await worker.kill();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoneLeft(tag);
});

test('[seeds 34] a worker can also be served in-process, with the same handler and protocol', async (t) => {
  const { policy } = recordingPolicy();
  const feedback: unknown[] = [];
  const pool: ScriptedPool = new Pool({
    size: 2,
    policy,
    spawn: (name) => InProcessWorker.start(name, scriptedHandler()),
    onFeedback: (_task, item) => feedback.push(item),
  });
  t.after(() => pool.destroy());
  const who = (await pool.submit({ name: 'who', request: { do: 'whoami' } }).done) as { ok: true; response: WhoAmI };
  assert.equal(who.response.pid, process.pid, 'no process: this one');
  assert.match(who.response.name, /^worker \d$/);
  assert.deepEqual(await pool.submit({ name: 'echo', request: { do: 'echo', value: 'x', feedback: [1, 2] } }).done, { ok: true, response: 'x' });
  assert.deepEqual(feedback, [1, 2]);
  assert.equal(reasonOf(await pool.submit({ name: 'throws', request: { do: 'throw', message: 'in-process' } }).done), 'exception');
  assert.equal(reasonOf(await pool.submit({ name: 'unencodable', request: { do: 'unencodable' } }).done), 'marshal');
  const slow = pool.submit({ name: 'slow', request: { do: 'sleep', ms: 60_000 } }, { termTimeoutMs: 100 });
  assert.equal(reasonOf(await slow.done), 'timeout');
  assert.deepEqual(await pool.submit({ name: 'after', request: { do: 'echo', value: 'y' } }).done, { ok: true, response: 'y' });
  await pool.destroy();
});

test('[seeds 35] spawned workers leave no zombies, spawn failures included', async () => {
  const { tag, env } = markedEnv();
  const failures = await Promise.all([
    rejection(WorkerProcess.spawn('no cwd', { args: [fixture('scripted')], env, cwd: '/nonexistent/directory' })),
    rejection(WorkerProcess.spawn('no script', { args: ['/nonexistent/worker.js'], env })),
    rejection(WorkerProcess.spawn('liar', { args: [fixture('liar')], env: { ...env, FIXTURE_LIE: 'version' } })),
    rejection(WorkerProcess.spawn('slow', { args: [fixture('scripted')], env: { ...env, FIXTURE_START_MS: '60000' }, connectionTimeoutMs: 300 })),
  ]);
  assert.deepEqual(
    failures.map((error) => (error as WorkerSpawnError).kind),
    ['launch', 'exited', 'version', 'timeout'],
  );
  const crashing = await WorkerProcess.spawn('crashing', { args: [fixture('scripted')], env });
  void crashing.run(1, { do: 'crash', code: 2 }).catch(() => {});
  await crashing.exited;
  const killed = await WorkerProcess.spawn('killed', { args: [fixture('scripted')], env });
  await killed.kill();
  const pids = [crashing.pid, killed.pid];
  assert.deepEqual(zombieChildren().filter((pid) => pids.includes(pid)), [], 'reaped before their end was reported');
  await waitFor(() => zombieChildren().length === 0, 'no zombie child at all');
  await assertNoneLeft(tag);
});
