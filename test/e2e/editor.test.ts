// End to end, as a person would use it: a real VS Code (code-server) with the packaged .vsix,
// a copy of examples/ as the workspace, two proof workers.
//
//   open broken.v → a red squiggle and a Problems row with Coq's error, on the line coqc names
//   → gutter icons: checked, failed, checked → the status bar shows 2 workers and 3/3 proofs
//   → the Workers view lists both workers with their pids → F1 "ProofPool: Kill Worker…" → pick
//   the first worker → the pool is back to 2 workers (none with the killed pid, in the pick and in
//   the Workers view), the Problems panel is unchanged → type the fix in the editor → the squiggle,
//   the Problems row and the red icon go → after VS Code stops, no process started by the test is left.
//
// Needs code-server (installed on first use by scripts/ensure-code-server.mjs, ~1 min), chromium,
// coqc/coqidetop.opt, and a built dist/ (node esbuild.mjs). Screenshots go to out/e2e-screenshots/,
// or to docs/screenshots/ with PROOFPOOL_UPDATE_SCREENSHOTS=1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startVSCode, type VSCode } from '../support/codeServer';
import { prepareE2EWorkspace } from '../support/e2eWorkspace';
import { gutterIcons, proofpoolStatus, workersViewRows } from '../support/workbench';

const TAG_VAR = 'PROOFPOOL_TEST_TAG';
const WORKERS = 2;

interface CoqcError {
  line: number;
  column: number;
  /** The message after `Error:`, whitespace collapsed. */
  message: string;
  /** Its lines, each whitespace collapsed (the Problems panel puts the source and location after the first). */
  lines: string[];
  raw: string;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** What coqc says about `file` (compiled in a scratch copy, so the workspace gets no .glob/.vo). */
function coqcError(examples: string, file: string): CoqcError {
  const scratch = mkdtempSync(join(tmpdir(), 'proofpool-coqc-'));
  try {
    cpSync(examples, scratch, { recursive: true });
    const r = spawnSync('coqc', ['-Q', scratch, 'Examples', file], { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
    const raw = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    assert.notEqual(r.status, 0, `coqc accepted ${file}; the example should hold a failing proof:\n${raw}`);
    const m = /File "[^"]*", line (\d+), characters (\d+)-(\d+):\s*\n([\s\S]*?)$/.exec(raw);
    assert.ok(m, `cannot find 'File "...", line N' in coqc's output:\n${raw}`);
    const body = m[4];
    const err = /Error:([\s\S]*)$/.exec(body);
    const message = err ? err[1] : body;
    const lines = message.split('\n').map(squash).filter((l) => l !== '');
    return { line: Number(m[1]), column: Number(m[2]) + 1, message: squash(message), lines, raw };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Proc {
  pid: number;
  cmdline: string;
}

/** Processes whose environment holds TAG_VAR=tag (everything code-server started, transitively). */
function taggedProcesses(tag: string): Proc[] {
  const needle = `${TAG_VAR}=${tag}`;
  const found: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (!env.includes(needle)) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid: Number(name), cmdline });
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

const isWorker = (p: Proc) => /\bdist\/worker\.js\b/.test(p.cmdline);
const isServer = (p: Proc) => /\bdist\/server\.js\b/.test(p.cmdline);
const isCoqidetop = (p: Proc) => /coqidetop(\.opt)?\b/.test(p.cmdline);

/** "ProofPool 0/2 busy · 3/4" → 2 (the pool's size), or undefined. */
function workerCount(items: string[]): number | undefined {
  const item = items.find((t) => t.includes('ProofPool'));
  const m = item && /(\d+)\s*\/\s*(\d+)\s*busy/.exec(item);
  return m ? Number(m[2]) : undefined;
}

/**
 * Problems panel rows that are markers (not the file rows): they hold `[Ln N, Col M]`, after the
 * message's first line and the source ("In environment coq [Ln 11, Col 15] n, m : nat Unable …").
 */
function markerRows(rows: string[]): { text: string; line: number; column: number }[] {
  return rows.flatMap((text) => {
    const m = /\[Ln (\d+), Col (\d+)\]/.exec(text);
    return m ? [{ text, line: Number(m[1]), column: Number(m[2]) }] : [];
  });
}

/** Whether a Problems row shows coqc's message: every line of it, in order. */
function showsError(rowText: string, expected: CoqcError): boolean {
  const text = squash(rowText);
  let from = 0;
  for (const line of expected.lines) {
    const at = text.indexOf(line, from);
    if (at < 0) return false;
    from = at + line.length;
  }
  return true;
}

/** "worker 1 pid 1234 · idle" → { id: "1", pid: 1234 }. */
function parseWorkerItem(text: string): { id: string; pid: number; state: string } {
  const m = /worker\s+(\S+)\s+pid\s+(\d+)\s*·\s*(.*)$/.exec(text);
  assert.ok(m, `quick pick item does not read like "worker <id> pid <pid> · <state>": ${text}`);
  return { id: m[1], pid: Number(m[2]), state: m[3] };
}

/** Tagged processes still there after up to 5 s. */
async function leftoverProcesses(tag: string): Promise<Proc[]> {
  const deadline = Date.now() + 5_000;
  let left = taggedProcesses(tag);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = taggedProcesses(tag);
  }
  return left;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/^State:\s*Z/m.test(safeRead(`/proc/${pid}/status`));
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

type WorkerItem = { id: string; pid: number; state: string };

/**
 * F1 → "ProofPool: Kill Worker…" and read the workers it offers, until `accept` likes them. The
 * pick lists only workers that have a pid, and it does not refresh while open: when it does not
 * satisfy `accept` (a replacement still starting), close it with Escape and open it again.
 * Returns the rows with the pick left open.
 */
async function openKillWorkerPick(
  v: VSCode, accept: (workers: WorkerItem[]) => boolean, what: string, timeoutMs: number,
): Promise<{ rows: string[]; workers: WorkerItem[] }> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  for (;;) {
    await v.runCommand('ProofPool: Kill Worker…');
    const rows = await v.waitFor(async () => {
      const r = await v.quickItems();
      // Until the extension's pick replaces the command palette, its rows are the palette's.
      return r.every((t) => /^worker\s+\S+\s+pid\s+\d+/.test(t)) ? r : undefined;
    }, 'the Kill Worker pick to list items like "worker <id> pid <pid> · <state>"', 20_000);
    const workers = rows.map(parseWorkerItem);
    if (accept(workers)) return { rows, workers };
    last = rows;
    await v.page.keyboard.press('Escape');
    await v.waitFor(async () => !(await v.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().isVisible()),
      'the Kill Worker pick to close', 10_000);
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for the Kill Worker pick to list ${what}; last: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('broken.v: a person sees the Coq error, kills a worker, the pool recovers, types the fix', { timeout: 300_000 }, async () => {
  const root = repoRoot();
  const examples = join(root, 'examples');
  const shots = join(root, 'docs', 'screenshots');
  assert.ok(existsSync(join(examples, 'broken.v')), 'examples/broken.v is missing');
  for (const f of ['client.js', 'server.js', 'worker.js']) {
    assert.ok(existsSync(join(root, 'dist', f)), `dist/${f} is missing: run \`node esbuild.mjs\` first`);
  }
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const { scratch, workspace, vsix } = prepareE2EWorkspace(root, 'editor');

  const expected = coqcError(examples, 'broken.v');
  console.log(`coqc: broken.v line ${expected.line}, column ${expected.column}: ${expected.message}`);

  const tag = randomBytes(8).toString('hex');
  let vs: VSCode | undefined;
  let codeServerPid: number | undefined;
  let sawTaggedWorkers = false;
  let leftovers: Proc[] = [];
  let passed = false;
  try {
    vs = await startVSCode({
      workspace,
      vsix,
      settings: { 'proofpool.workers': WORKERS },
      env: { [TAG_VAR]: tag },
      screenshotDir: shots,
    });
    codeServerPid = vs.pid;
    const v = vs;
    console.log(`workbench ready: ${elapsed()}`);

    // 1. Open broken.v: a squiggle, and a Problems row with Coq's error on coqc's line.
    await v.openFile('broken.v');
    await v.waitFor(() => v.page.locator('.monaco-editor .squiggly-error').count(), 'a red squiggle in broken.v', 90_000);
    const before = await v.waitFor(async () => {
      const rows = markerRows(await v.problems());
      return rows.some((r) => showsError(r.text, expected)) ? rows : undefined;
    }, `a Problems row holding "${expected.message}"`, 60_000);
    const errorRow = before.find((r) => showsError(r.text, expected))!;
    console.log(`problem shown: ${elapsed()}: ${errorRow.text}`);
    assert.equal(errorRow.line, expected.line,
      `the Problems row is on line ${errorRow.line}, coqc says line ${expected.line}\nrow: ${errorRow.text}\ncoqc:\n${expected.raw}`);
    if (errorRow.column !== expected.column) {
      console.log(`note: Problems column ${errorRow.column}, coqc column ${expected.column}`);
    }

    // 2. The status bar shows the pool: 2 workers.
    const status = await v.waitFor(async () => {
      const items = await v.statusBarItems();
      return workerCount(items) === WORKERS ? items.find((t) => t.includes('ProofPool')) : undefined;
    }, `the ProofPool status bar item to show ${WORKERS} workers`, 30_000);
    console.log(`status bar: ${status}`);
    await v.waitFor(async () => (await gutterIcons(v)).join(' ') === '4:checked 9:failed 14:checked',
      'gutter icons: checked on line 4, failed on line 9, checked on line 14', 30_000);

    const running = taggedProcesses(tag);
    sawTaggedWorkers = running.some(isWorker);
    assert.ok(sawTaggedWorkers,
      `no dist/worker.js process carries ${TAG_VAR}; the leak check below would prove nothing. Tagged:\n` +
      running.map((p) => `${p.pid} ${p.cmdline}`).join('\n'));
    console.log(`tagged processes: ${running.filter(isServer).length} server.js, ${running.filter(isWorker).length} worker.js, ` +
      `${running.filter(isCoqidetop).length} coqidetop`);
    const servers = running.filter(isServer);
    assert.equal(servers.length, 1, `expected one language server (dist/server.js), found:\n${servers.map((p) => `${p.pid} ${p.cmdline}`).join('\n')}`);
    const server = servers[0];

    // The Workers view lists the same two workers.
    const workerPids = running.filter(isWorker).map((p) => p.pid).sort();
    const viewRows = await v.waitFor(async () => {
      const rows = await workersViewRows(v);
      const pids = rows.map((r) => /^worker \d+ pid (\d+) · (idle|busy)/.exec(r)?.[1]).filter(Boolean).map(Number).sort();
      return JSON.stringify(pids) === JSON.stringify(workerPids) ? rows : undefined;
    }, `the Workers view to list the workers with pids ${workerPids.join(', ')}`, 30_000);
    console.log(`Workers view: ${viewRows.join(' | ')}`);
    await v.screenshot('broken-problems.png');

    // 3. F1 → ProofPool: Kill Worker… → the first worker.
    const first = await openKillWorkerPick(v, (ws) => ws.length === WORKERS, `${WORKERS} workers`, 60_000);
    await v.screenshot('kill-worker.png');
    const victim = first.workers[0];
    assert.ok(running.some((p) => p.pid === victim.pid),
      `worker ${victim.id}'s pid ${victim.pid} is not among the processes code-server started`);
    const picked = await v.pickQuickItem(`pid ${victim.pid}`);
    console.log(`killed ${picked}: ${elapsed()}`);
    await v.waitFor(() => !alive(victim.pid), `worker ${victim.id} (pid ${victim.pid}) to exit`, 15_000);

    // 4. The pool recovers: 2 workers, none of them the killed one; the Problems panel unchanged.
    await v.waitFor(async () => workerCount(await v.statusBarItems()) === WORKERS,
      `the status bar to show ${WORKERS} workers again`, 60_000);
    const after = await openKillWorkerPick(v,
      (ws) => ws.length === WORKERS && ws.every((w) => w.pid !== victim.pid && alive(w.pid)),
      `${WORKERS} live workers, none with the killed pid ${victim.pid}`, 90_000);
    console.log(`workers now: ${after.workers.map((w) => `${w.id}/${w.pid}/${w.state}`).join(', ')}`);
    await v.page.keyboard.press('Escape');
    await v.waitFor(async () => !(await v.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().isVisible()),
      'the quick pick to close', 10_000);
    const statusAfter = (await v.statusBarItems()).find((t) => t.includes('ProofPool'));
    console.log(`status bar after the kill: ${statusAfter}`);
    // The pool replaced its worker by itself: the language server did not crash and get restarted.
    const serversAfter = taggedProcesses(tag).filter(isServer).map((p) => p.pid);
    assert.deepEqual(serversAfter, [server.pid],
      `the language server changed after the kill (pid ${server.pid} before, ${JSON.stringify(serversAfter)} after): it crashed and was restarted`);

    const beforeTexts = before.map((r) => r.text);
    await v.waitFor(async () => {
      const now = markerRows(await v.problems()).map((r) => r.text);
      return JSON.stringify(now) === JSON.stringify(beforeTexts);
    }, `the Problems panel to hold the same rows as before the kill: ${JSON.stringify(beforeTexts)}`, 60_000);
    await v.waitFor(() => v.page.locator('.monaco-editor .squiggly-error').count(), 'the squiggle to still be there', 10_000);
    await v.waitFor(async () => {
      const rows = await workersViewRows(v);
      return rows.length === WORKERS && rows.every((r) => !r.includes(`pid ${victim.pid} `));
    }, `the Workers view to list ${WORKERS} workers, none with pid ${victim.pid}`, 30_000);

    // 5. Type the fix: find the failing line, replace it, as a person would.
    await v.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await v.page.keyboard.press('Control+F');
    await v.page.keyboard.type('intros n m. reflexivity.');
    await v.waitFor(async () => /^1 of 1$/.test((await v.page.locator('.find-widget .matchesCount').first().innerText()).trim()),
      'Find to select the failing line (1 of 1)', 10_000);
    await v.page.keyboard.press('Escape');
    await v.page.keyboard.type('intros n m. apply Nat.add_comm.');
    await v.waitFor(async () => (await v.page.locator('.monaco-editor .squiggly-error').count()) === 0, 'the squiggle to disappear', 60_000);
    await v.waitFor(async () => markerRows(await v.problems()).length === 0, 'the Problems panel to be empty', 30_000);
    await v.waitFor(async () => (await gutterIcons(v)).join(' ') === '4:checked 9:checked 14:checked', 'every gutter icon checked', 30_000);
    const fixedStatus = await v.waitFor(async () => {
      const text = await proofpoolStatus(v);
      return text?.endsWith(`0/${WORKERS} busy · 3/3`) ? text : undefined;
    }, 'the status bar: 3/3, no worker busy', 30_000);
    console.log(`fixed: ${elapsed()}: ${fixedStatus}`);
    await v.screenshot('fixed.png');
    console.log(`scenario done: ${elapsed()}`);
    passed = true;
  } finally {
    await vs?.stop({ failed: !passed });
    rmSync(scratch, { recursive: true, force: true });
    leftovers = await leftoverProcesses(tag);
    if (leftovers.length > 0) {
      console.error(`left over after VS Code stopped (killing them now by pid):\n` +
        leftovers.map((p) => `  ${p.pid} ${p.cmdline}`).join('\n'));
      for (const p of leftovers) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  }

  // 5. Nothing the test started is left: code-server's group, workers, coqidetop.
  if (codeServerPid !== undefined) {
    let groupAlive = true;
    try { process.kill(-codeServerPid, 0); } catch { groupAlive = false; }
    assert.ok(!groupAlive, `code-server's process group ${codeServerPid} is still alive`);
  }
  assert.deepEqual(leftovers.map((p) => `${p.pid} ${p.cmdline}`), [],
    `processes started by the test outlived VS Code by 5 s (${leftovers.filter(isWorker).length} worker.js, ` +
    `${leftovers.filter(isCoqidetop).length} coqidetop)`);
  assert.ok(sawTaggedWorkers);
  console.log(`total: ${elapsed()}`);
});
