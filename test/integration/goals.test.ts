/**
 * Goals, compared with what coqidetop itself gives when a document is stepped to a sentence (the
 * truth: a real coqidetop driven here, sentence by sentence, through the whole document): the goals
 * a failure's diagnostic carries, and proofpool/goals at positions inside proofs, served by a
 * worker that holds the state when one does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProofGoals } from '../../protocol/coqTasks';
import { GoalsRequest, GoalsResult, ListWorkersRequest, Position } from '../../protocol/lsp';
import { ServerSession } from '../../server/src/cli/serverSession';
import { rootFor } from '../../server/src/coq/coqProject';
import { relatedGoals } from '../../server/src/coq/goals';
import { splitSentences } from '../../server/src/coq/sentences';
import { CoqIdeTop } from '../../worker/src/coqidetop';
import { toProofGoals } from '../../worker/src/goals';
import { DIST } from '../support/cli';
import { assertNoneLeft, markedEnv, waitFor } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'proofpool-goals-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DOC = `Require Import Arith.
Lemma first : forall n : nat, n + 0 = n.
Proof. intros n. rewrite Nat.add_0_r. reflexivity. Qed.
Lemma swap : forall a b : nat, a + b = b + a /\\ a * b = b * a.
Proof.
  intros a b.
  split.
  - induction a as [|a IH].
    + simpl. rewrite Nat.add_0_r. reflexivity.
    + simpl. rewrite IH. reflexivity.
  - apply Nat.mul_comm.
Qed.
Lemma last : True.
Proof. exact I. Qed.
`;
const LINES = DOC.split('\n');
/** 0-based line and the column just after `text` on it. */
function after_(line: number, text: string): Position {
  const at = LINES[line].indexOf(text);
  assert.ok(at >= 0, `${text} on line ${line + 1}`);
  return { line, character: at + text.length };
}

/**
 * Steps a real coqidetop through the document as CoqIDE would, one sentence at a time: the goals
 * after each sentence (until the first that fails), by sentence index.
 */
async function truth(path: string, text: string): Promise<{ after: Map<number, ProofGoals | null>; failing: number }> {
  const root = rootFor(path);
  const coq = await CoqIdeTop.start({ args: root.args, cwd: root.cwd });
  try {
    const goals = new Map<number, ProofGoals | null>();
    let state = coq.initialStateId;
    const sentences = splitSentences(text);
    for (let i = 0; i < sentences.length; i++) {
      const added = await coq.add(sentences[i].text, state);
      assert.ok(added.ok);
      const executed = await coq.status(true);
      if (!executed.ok) return { after: goals, failing: i };
      state = added.value.stateId;
      const answer = await coq.goals();
      assert.ok(answer.ok);
      goals.set(i, toProofGoals(answer.value));
    }
    return { after: goals, failing: -1 };
  } finally {
    await coq.quit();
  }
}

async function startServer(env: NodeJS.ProcessEnv) {
  const session = await ServerSession.start({ workers: 2 }, { env, serverPath: join(DIST, 'server.js') });
  const goalsAt = (uri: string, position: Position) => session.connection.sendRequest(GoalsRequest.type, { uri, position });
  return { session, goalsAt };
}

const path = join(dir, 'Swap.v');
writeFileSync(path, DOC);
const uri = pathToFileURL(path).href;
const sentences = splitSentences(DOC);
const text = TextDocument.create(uri, 'coq', 1, DOC);
/** The sentence whose goals a query at this position asks for: the last one ending at or before it. */
const sentenceEndingAt = (position: Position) => sentences.findLastIndex((s) => s.end <= text.offsetAt(position));
const shape = (result: GoalsResult | null) => result && { goals: result.goals, unfocused: result.unfocused, shelved: result.shelved, givenUp: result.givenUp };

test('a failure carries the goals before the failing sentence, as coqidetop gives them when stepped there', async () => {
  const expected = await truth(path, DOC);
  assert.equal(sentences[expected.failing].text, 'reflexivity.');
  assert.equal(DOC.slice(0, sentences[expected.failing].start).split('\n').length, 10, 'the failing sentence is on line 10');
  const before = expected.after.get(expected.failing - 1)!;
  assert.ok(before.goals[0].hypotheses.some((h) => h.startsWith('IH')), JSON.stringify(before));

  const { tag, env } = markedEnv();
  const { session, goalsAt } = await startServer(env);
  try {
    const result = await session.check(uri, DOC);
    const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === 1);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const error = errors[0];
    assert.equal(error.range.start.line, 9);
    const location = { uri, range: { start: error.range.start, end: { line: 9, character: error.range.start.character + 'reflexivity.'.length } } };
    assert.deepEqual(error.relatedInformation, relatedGoals(before, location));
    assert.match(error.relatedInformation![0].message, /^Goal 1\/1 before this sentence \(also 1 unfocused\):\na, b : nat\nIH : a \+ b = b \+ a\n=+\nS \(b \+ a\) = b \+ S a$/);

    // proofpool/goals at the failing sentence's start: the goals after the sentence before it.
    const answer = await goalsAt(uri, error.range.start);
    assert.deepEqual(shape(answer), before);
    assert.equal(answer!.error, undefined);
    assert.equal(answer!.range.start.line, 9, 'after `rewrite IH.`');
  } finally {
    await session.stop();
  }
  await assertNoneLeft(tag);
});

test('proofpool/goals inside proofs equals coqidetop stepped there; null outside proofs; past a failure, the goals before it; unknown documents refused', async () => {
  const expected = await truth(path, DOC);
  const { tag, env } = markedEnv();
  const { session, goalsAt } = await startServer(env);
  try {
    await session.check(uri, DOC);
    const positions: Position[] = [
      after_(1, 'n + 0 = n.'), // the statement: the goal as stated
      after_(2, 'intros n.'),
      { line: 2, character: LINES[2].indexOf('reflexivity') + 3 }, // inside a sentence: the one before it counts
      after_(5, 'intros a b.'),
      after_(6, 'split.'),
      after_(7, '-'),
      after_(7, 'induction a as [|a IH].'),
      after_(8, 'simpl.'),
      after_(9, 'rewrite IH.'),
    ];
    for (const position of positions) {
      const sentence = sentenceEndingAt(position);
      const answer = await goalsAt(uri, position);
      assert.deepEqual(shape(answer), expected.after.get(sentence), `at ${position.line + 1}:${position.character}`);
      assert.equal(answer!.error, undefined);
    }
    assert.equal(await goalsAt(uri, after_(0, 'Arith.')), null, 'before any proof');
    assert.equal(await goalsAt(uri, after_(2, 'Qed.')), null, 'after Qed');
    assert.equal(await goalsAt(uri, { line: 0, character: 0 }), null, 'before any sentence');

    // Past the failing `reflexivity.` on line 10: Coq cannot get there; the answer says why and gives the goals before it.
    const blocked = await goalsAt(uri, after_(9, 'rewrite IH. reflexivity.'));
    assert.deepEqual(shape(blocked), expected.after.get(expected.failing - 1));
    assert.equal(blocked!.error?.range.start.line, 9);
    assert.match(blocked!.error!.message, /Unable to unify|Impossible to unify|not convertible/);
    // Checked past the failing block: the second bullet's state (the first bullet's goal given up).
    const resumed = await goalsAt(uri, after_(10, '- apply Nat.mul_comm.'));
    assert.deepEqual(shape(resumed), { goals: [], unfocused: 0, shelved: 0, givenUp: 1 });
    assert.equal(resumed!.error, undefined);

    const unknown = pathToFileURL(join(dir, 'NotOpen.v')).href;
    await assert.rejects(goalsAt(unknown, { line: 0, character: 0 }), (e: unknown) => e instanceof ResponseError && /does not have .* open/.test(e.message));
  } finally {
    await session.stop();
  }
  await assertNoneLeft(tag);
});

/** Each worker's coqidetop calls so far ({call: [count, ms]}), from PROOFPOOL_PROFILE files written after `since`. */
async function callCounts(profile: string, pids: number[], since: number): Promise<Map<number, Record<string, [number, number]>>> {
  const file = (pid: number) => `${profile}.${pid}`;
  const writtenSince = (pid: number) => {
    try {
      return statSync(file(pid)).mtimeMs > since;
    } catch {
      return false;
    }
  };
  await waitFor(() => pids.every(writtenSince), 'every worker to write its call counts');
  return new Map(pids.map((pid) => [pid, JSON.parse(readFileSync(file(pid), 'utf8'))]));
}

test('a goals query is served by the worker that holds the state: it only rewinds, adding nothing', async () => {
  const { tag, env } = markedEnv();
  const profile = join(dir, 'profile');
  const { session, goalsAt } = await startServer({ ...env, PROOFPOOL_PROFILE: profile });
  try {
    await session.check(uri, DOC);
    const pids = (await session.connection.sendRequest(ListWorkersRequest.type)).workers.map((w) => w.pid);
    const count = (counts: Map<number, Record<string, [number, number]>>, pid: number, call: string) => counts.get(pid)?.[call]?.[0] ?? 0;
    const goalCalls = (counts: Map<number, Record<string, [number, number]>>) => pids.reduce((sum, pid) => sum + count(counts, pid, 'Goal'), 0);
    // Some worker walks to the state after the `simpl.` on line 10 (or already holds it); it then holds every state of swap before it.
    // Not `rewrite IH.` after it: the check already fetched the goals there (before the failing `reflexivity.`), so a query
    // there is answered from the cache, by no worker, and whichever worker held swap may since have moved on to other proofs.
    const start = await callCounts(profile, pids, Date.now());
    await goalsAt(uri, after_(9, '+ simpl.'));
    const before = await callCounts(profile, pids, Date.now());
    assert.equal(goalCalls(before), goalCalls(start) + 1, 'a worker answered the first query (it was not cached)');
    const answer = await goalsAt(uri, after_(6, 'split.'));
    assert.equal(answer!.goals.length, 2);
    const afterward = await callCounts(profile, pids, Date.now());
    const served = pids.filter((pid) => count(afterward, pid, 'Goal') > count(before, pid, 'Goal'));
    assert.equal(served.length, 1, 'one worker answered');
    assert.equal(count(afterward, served[0], 'Add'), count(before, served[0], 'Add'), 'it added no sentence: it held the state');
    assert.equal(count(afterward, served[0], 'Edit_at'), count(before, served[0], 'Edit_at') + 1, 'it rewound once');
  } finally {
    await session.stop();
  }
  await assertNoneLeft(tag);
});
