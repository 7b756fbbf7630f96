/**
 * Checklist items 36–39 (paladin): directives over the in-process backend, whose tasks run on
 * real worker processes (test/fixtures/workers/operations.fixture.ts).
 */
import assert from 'node:assert/strict';
import { test, TestContext } from 'node:test';
import type { DirectiveBackend, ResultChannel, ResultEnvelope, TaskEnvelope } from '../../server/src/pool/directives/backend';
import { InProcessBackend } from '../../server/src/pool/directives/backends/inProcess';
import { fold } from '../../server/src/pool/directives/fold';
import { Indexed, map } from '../../server/src/pool/directives/map';
import { monoid, operation } from '../../server/src/pool/directives/operation';
import { DirectiveFailedError } from '../../server/src/pool/errors';
import type { TaskFailureReason } from '../../server/src/pool/errors';
import { WorkerProcess } from '../../server/src/pool/workerProcess';
import { deferred, fixture } from '../fixtures/workers/harness';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

// The operations the fixture serves, declared once for this side.
const double = operation<{ value: number; ms?: number; fatal?: string }, number>('double');
const upper = operation<string, string>('upper');
const concat = monoid<string>('concat', '');
const flaky = operation<{ value: number; succeedOn: number }, { value: number; attempt: number }>('flaky');
const dieOnFirstAttempt = operation<{ value: number }, number>('dieOnFirstAttempt');

function backendOf(t: TestContext, size: number) {
  const { tag, env } = markedEnv();
  const outcomes: { key: string; reason: TaskFailureReason | 'ok' }[] = [];
  const backend = InProcessBackend.withPool({
    size,
    spawn: (name) => WorkerProcess.spawn(name, { args: [fixture('operations')], env }),
    onFinish: (task, outcome) => outcomes.push({ key: task.key, reason: outcome.ok ? 'ok' : outcome.error.reason }),
  });
  t.after(() => backend.destroy());
  return { backend, tag, outcomes };
}

/** Hands each result to the directive through `tamper`: to duplicate it, hold it back, ... */
class TamperingBackend implements DirectiveBackend {
  constructor(
    private readonly inner: DirectiveBackend,
    private readonly tamper: (result: ResultEnvelope, deliver: (result: ResultEnvelope) => void) => void,
  ) {}

  openResultChannel(): ResultChannel {
    const channel = this.inner.openResultChannel();
    return {
      id: channel.id,
      onResult: (listener) => channel.onResult((result) => this.tamper(result, listener)),
      close: () => channel.close(),
    };
  }

  publish(task: TaskEnvelope): void {
    this.inner.publish(task);
  }

  cancel(directive: string, keys?: string[]): void {
    this.inner.cancel(directive, keys);
  }
}

test('[seeds 36] a directive results carry their input index and can be put back in input order', async (t) => {
  const { backend, tag } = backendOf(t, 2);
  const inputs = [{ value: 1, ms: 300 }, { value: 2 }, { value: 3, ms: 150 }, { value: 4 }, { value: 5, ms: 50 }];
  const arrived: Indexed<number>[] = [];
  for await (const result of map(backend, double, inputs)) arrived.push(result);
  assert.deepEqual(arrived.map((r) => r.index).sort(), [0, 1, 2, 3, 4], 'each index once');
  for (const { index, output } of arrived) assert.equal(output, inputs[index].value * 2, `result ${index} matches its input`);
  assert.deepEqual(await map(backend, double, inputs).inOrder(), [2, 4, 6, 8, 10]);
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 37] a fold combines only adjacent ranges; zero inputs give the empty value, one input sends nothing', async (t) => {
  const { backend, tag } = backendOf(t, 3);
  const letters = [...'abcdefghij'];
  const folded = await fold(backend, concat, letters);
  assert.equal(folded.value, 'abcdefghij', 'a non-commutative operation, so only ordered, adjacent pairs give this');
  for (const [left, right] of folded.combined) assert.equal(left.split('-')[1], right.split('-')[0], `${left} and ${right} are adjacent`);
  assert.equal(folded.combined.length, letters.length - 1);
  // Over a map whose results arrive in any order.
  const overMap = await fold(backend, concat, map(backend, upper, letters));
  assert.equal(overMap.value, 'ABCDEFGHIJ');
  for (const [left, right] of overMap.combined) assert.equal(left.split('-')[1], right.split('-')[0]);
  const published = backend.published;
  assert.deepEqual((await fold(backend, concat, [])).value, '');
  assert.deepEqual((await fold(backend, concat, ['only'])).value, 'only');
  assert.equal(backend.published, published, 'zero or one input: no task sent');
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 38] transient errors retry up to a limit, then become fatal', async (t) => {
  const { backend, tag } = backendOf(t, 2);
  const before = backend.published;
  assert.deepEqual(await map(backend, flaky, [{ value: 7, succeedOn: 2 }], { maxRetries: 3 }).inOrder(), [{ value: 7, attempt: 2 }]);
  assert.equal(backend.published - before, 3, 'tried three times');
  // A worker lost mid-task is a transient failure: the task is delivered again.
  assert.deepEqual(await map(backend, dieOnFirstAttempt, [{ value: 9 }]).inOrder(), [9]);
  const failure = await map(backend, flaky, [{ value: 1, succeedOn: 5 }], { maxRetries: 2 })
    .inOrder()
    .then(
      () => assert.fail('the directive should fail'),
      (error: unknown) => error,
    );
  assert.ok(failure instanceof DirectiveFailedError);
  assert.equal(failure.attempts, 3, 'one try and two retries');
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 38] a fatal error ends the directive and cancels its sibling tasks', async (t) => {
  const { backend, tag, outcomes } = backendOf(t, 3);
  const directive = map(backend, double, [
    { value: 1, ms: 60_000 },
    { value: 2, ms: 60_000 },
    { value: 3, ms: 200, fatal: 'boom' },
  ]);
  const failure = await directive.inOrder().then(
    () => assert.fail('the directive should fail'),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof DirectiveFailedError);
  assert.equal(failure.key, '2');
  assert.match(failure.message, /boom/);
  await waitFor(() => outcomes.length === 3, 'every task to end');
  const reasonOf = (key: string) => outcomes.find((o) => o.key === key)?.reason;
  assert.equal(reasonOf('0'), 'cancelled');
  assert.equal(reasonOf('1'), 'cancelled');
  assert.equal(reasonOf('2'), 'exception');
  const startedJoin = Date.now();
  await backend.pool.join();
  assert.ok(Date.now() - startedJoin < 20_000, 'the siblings stopped instead of sleeping for a minute');
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 39] each directive receives only its own results', async (t) => {
  const { backend, tag } = backendOf(t, 2);
  const [first, second] = await Promise.all([
    map(backend, double, [1, 2, 3].map((value) => ({ value, ms: 20 }))).inOrder(),
    map(backend, double, [10, 20, 30].map((value) => ({ value, ms: 20 }))).inOrder(),
  ]);
  assert.deepEqual(first, [2, 4, 6]);
  assert.deepEqual(second, [20, 40, 60]);
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 39] duplicate results are ignored, never counted twice', async (t) => {
  const { backend, tag } = backendOf(t, 2);
  const twice = new TamperingBackend(backend, (result, deliver) => {
    deliver(result);
    deliver(result); // at-least-once delivery
  });
  const directive = map(twice, double, [1, 2, 3, 4].map((value) => ({ value })));
  const arrived: Indexed<number>[] = [];
  for await (const result of directive) arrived.push(result);
  assert.deepEqual(arrived.map((r) => r.index).sort(), [0, 1, 2, 3]);
  assert.equal(directive.ignoredResults, 4, 'every second copy ignored');
  const folded = await fold(twice, concat, [...'abcdef']);
  assert.equal(folded.value, 'abcdef', 'no range combined twice');
  assert.equal(folded.ignoredResults, 5);
  await backend.destroy();
  await assertNoneLeft(tag);
});

test('[seeds 39] a late result, arriving after its directive ended, is ignored', async (t) => {
  const { backend, tag } = backendOf(t, 3);
  const ended = deferred();
  const lateDelivered = deferred();
  const holdingBack = new TamperingBackend(backend, (result, deliver) => {
    if (result.key !== '1') return deliver(result);
    // Held until the directive has failed, then delivered.
    void ended.promise.then(() => {
      deliver(result);
      lateDelivered.resolve();
    });
  });
  const directive = map(holdingBack, double, [{ value: 1 }, { value: 2 }, { value: 3, ms: 300, fatal: 'boom' }]);
  const arrived: Indexed<number>[] = [];
  let failure: unknown;
  try {
    for await (const result of directive) arrived.push(result);
  } catch (error) {
    failure = error;
  }
  assert.ok(failure instanceof DirectiveFailedError);
  ended.resolve();
  await lateDelivered.promise;
  assert.deepEqual(arrived, [{ index: 0, output: 2 }], 'the late result never reached the directive');
  assert.equal(directive.ignoredResults, 1);
  await backend.destroy();
  await assertNoneLeft(tag);
});
