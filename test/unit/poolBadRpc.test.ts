/**
 * A worker that writes something other than JSON-RPC on its protocol channel: the task it was
 * running fails at once with a marshal error that says what came, the worker is replaced, and the
 * pool goes on. Before, such a line was only noted, and the task waited for an answer forever.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pool } from '../../server/src/pool/pool';
import type { Policy } from '../../server/src/pool/policy';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import type { BadRpcRequest } from '../fixtures/workers/badRpc.fixture';
import { fixture } from '../fixtures/workers/harness';
import { alive, assertNoneLeft, markedEnv, waitFor } from '../support/processes';

interface Task {
  name: string;
  request: BadRpcRequest;
}

function badRpcPool() {
  const { tag, env } = markedEnv();
  const policy: Policy<Task, BadRpcRequest, unknown, string> = {
    requestOfTask: (_status, task) => task.request,
    taskMatch: () => true,
    cost: () => 1,
    useResponse: (_status, task) => ({ stay: task.name }),
    nameOfTask: (task) => task.name,
  };
  const pool = new Pool<Task, BadRpcRequest, unknown, string>({
    size: 1,
    policy,
    spawn: (name) => WorkerProcess.spawn(name, { args: [fixture('badRpc')], env, heartbeatTimeoutMs: 5000 }),
  });
  return { pool, tag };
}

const cases: { request: BadRpcRequest; says: RegExp }[] = [
  { request: { do: 'notJson' }, says: /not JSON-RPC.*"this is not JSON-RPC"/ },
  { request: { do: 'notMessage' }, says: /not JSON-RPC.*"\[1,2,3\]"/ },
  { request: { do: 'cutFrame' }, says: /not JSON-RPC.*pool\/feedb\{/ },
];

for (const { request, says } of cases) {
  // The time limit turns a regression (a task waiting forever) into a failure rather than a hung suite.
  test(`a worker that writes ${request.do} on its channel: its task fails as a marshal error, a new worker takes over`, { timeout: 30_000 }, async () => {
    const { pool, tag } = badRpcPool();
    try {
      const first = await waitFor(() => pool.workers().find((w) => w.state === 'idle' && w.pid > 0), 'an idle worker');
      const outcome = await pool.submit({ name: request.do, request }).done;
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.error.reason, 'marshal');
      assert.match(!outcome.ok ? outcome.error.message : '', says);
      assert.match(!outcome.ok ? outcome.error.message : '', /^worker 1: /, 'the message names the worker');
      await waitFor(() => !alive(first.pid), `the corrupting worker (pid ${first.pid}) to be gone`);
      const next = await waitFor(() => pool.workers().find((w) => w.state === 'idle' && w.pid > 0 && w.pid !== first.pid), 'a new idle worker');
      assert.notEqual(next.id, first.id);
      assert.deepEqual(await pool.submit({ name: 'after', request: { do: 'echo', value: 42 } }).done, { ok: true, response: 42 });
    } finally {
      await pool.destroy();
    }
    await assertNoneLeft(tag);
  });
}
