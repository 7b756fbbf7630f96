// A real VS Code (code-server 4.100.3) driven headless through Debian's chromium by playwright-core,
// for end-to-end tests. Recipe: /work/shared/notes/vscode-e2e.md.
//
//   const vs = await startVSCode({ workspace, settings: { 'proofpool.workers': 2 }, vsix });
//   try { await vs.openFile('broken.v'); ... } finally { await vs.stop(); }
//
// Everything lives in a fresh temp folder (user data, extensions, config, browser profile) that
// stop() removes. code-server is spawned detached (its own process group) and stop() kills that
// group by pid. Waits are conditions polled until a deadline, never fixed sleeps.

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

export interface StartOptions {
  /** Folder opened in VS Code. */
  workspace: string;
  /** Extra user settings (merged over the harness defaults). */
  settings?: Record<string, unknown>;
  /** .vsix installed with the server's `--install-extension` before it starts. */
  vsix?: string;
  /** Extra environment for code-server (inherited by the extension host and what it spawns). */
  env?: Record<string, string>;
  /** Where screenshot(name) writes; default out/e2e-screenshots/ in the repository. */
  screenshotDir?: string;
  /** Where failure screenshots (waitFor timeouts) go, and the logs (code-server's and VS Code's,
   *  copied there by stop()); default out/e2e-screenshots/. */
  failureDir?: string;
  /** Browser viewport; default 1400x900. */
  viewport?: { width: number; height: number };
  /** Progress lines; default console.log with a prefix. */
  log?: (line: string) => void;
  /**
   * Leave Workspace Trust on (default off: `--disable-workspace-trust`). The folder then opens in
   * Restricted Mode, without the startup prompt; trust it from the UI ("Manage Workspace Trust").
   */
  workspaceTrust?: boolean;
  /** Run an extension's tests inside the extension host (the page URL's payload, as VS Code's own web tests do). */
  extensionTests?: ExtensionTests;
}

export interface ExtensionTests {
  /** Folder holding the extension under development (its package.json). */
  developmentPath: string;
  /** The tests' entry module (exports `run(): Promise<void>`). */
  testsPath: string;
  /** The workbench's verdict when the tests end: 0 passed, else failed. Not sent if the host crashes. */
  onExit(code: number): void;
  /** The extension host's console, as the workbench forwards it. */
  onLog?(line: string): void;
}

export interface VSCode {
  url: string;
  page: Page;
  context: BrowserContext;
  /** code-server's pid (also its process group id). */
  pid: number;
  /** code-server's stdout+stderr. */
  logFile: string;
  /** Saves a screenshot of the page (`name` relative to screenshotDir, .png added); returns its path. */
  screenshot(name: string): Promise<string>;
  /**
   * Closes the browser, kills code-server's process group, removes the temp folders. The logs are
   * kept under failureDir: in logs-<time>/ when `failed` or a waitFor timed out, else in logs-last/.
   */
  stop(options?: { failed?: boolean }): Promise<void>;
  /** Quick Open (Ctrl+P), type the name, Enter; waits until its editor tab is active. */
  openFile(name: string): Promise<void>;
  /** Command palette (F1), `>title`, Enter on the matching entry. */
  runCommand(title: string): Promise<void>;
  /** Waits for the visible quick pick to hold an item whose text contains `textContains`, and picks it. */
  pickQuickItem(textContains: string): Promise<string>;
  /** Texts of the visible quick pick's rows (waits until it shows at least one). */
  quickItems(): Promise<string[]>;
  /** Opens the Problems panel (Ctrl+Shift+M) if it is not visible; returns its rows' text. */
  problems(): Promise<string[]>;
  /** Texts of the status bar items (codicons render as icons, so `$(...)` is not in the text). */
  statusBarItems(): Promise<string[]>;
  /** Polls `condition` until it returns a truthy value; on timeout saves a screenshot and throws. */
  waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
}

/** An element as seen inside the page (the project's tsconfig has no DOM lib). */
type Rendered = { innerText: string };

/**
 * A quick pick row's text as a person reads it: label, description, detail, separated by spaces
 * (the row's innerText glues label and description together: "worker 1pid 42 · idle").
 * Runs in the page, so it must not refer to anything outside itself.
 */
function quickRowText(row: unknown): string {
  const e = row as { innerText: string; querySelector(sel: string): { innerText: string } | null };
  const part = (sel: string) => (e.querySelector(sel)?.innerText ?? '').trim();
  const parts = [part('.label-name'), part('.label-description'), part('.quick-input-list-label-meta')]
    .filter((t) => t !== '');
  return (parts.length > 0 ? parts.join(' ') : e.innerText).replace(/\s+/g, ' ').trim();
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The repository root: the nearest folder upwards holding ProofPool's package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'proofpool') return dir;
      } catch { /* keep looking */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ProofPool's package.json above ${__dirname}`);
    dir = up;
  }
}

// Loaded at run time rather than bundled: playwright-core reads files next to its own sources.
function playwright(): typeof import('playwright-core') {
  return createRequire(join(repoRoot(), 'package.json'))('playwright-core');
}

/** Installs code-server if needed (scripts/ensure-code-server.mjs); returns out/node/entry.js. */
export async function ensureCodeServer(log?: (line: string) => void): Promise<string> {
  const url = pathToFileURL(join(repoRoot(), 'scripts', 'ensure-code-server.mjs')).href;
  // A computed specifier keeps esbuild from bundling the script into the test.
  const mod = await (import(url) as Promise<{ ensureCodeServer(o?: object): Promise<string> }>);
  return mod.ensureCodeServer(log ? { log } : undefined);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'shot';
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts code-server with a fresh profile and a chromium page on it; waits for the workbench. */
export async function startVSCode(opts: StartOptions): Promise<VSCode> {
  const log = opts.log ?? ((line: string) => console.log(`[vscode] ${line}`));
  const root = repoRoot();
  const t0 = Date.now();
  const workspace = resolve(opts.workspace);
  // The README's screenshots are tracked files: a test run refreshes them only when asked to
  // (PROOFPOOL_UPDATE_SCREENSHOTS=1), so that running the tests leaves the checkout clean.
  const screenshotDir = resolve(process.env.PROOFPOOL_UPDATE_SCREENSHOTS === '1' && opts.screenshotDir ? opts.screenshotDir : join(root, 'out', 'e2e-screenshots'));
  const failureDir = resolve(opts.failureDir ?? join(root, 'out', 'e2e-screenshots'));

  const entry = await ensureCodeServer(log);
  const temp = mkdtempSync(join(tmpdir(), 'proofpool-vscode-'));
  const config = join(temp, 'config.yaml');
  const userData = join(temp, 'user-data');
  const extensions = join(temp, 'extensions');
  const browserProfile = join(temp, 'browser');
  const logFile = join(temp, 'code-server.log');
  for (const d of [userData, extensions, browserProfile, join(userData, 'User')]) mkdirSync(d, { recursive: true });
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');

  const serverEnv: NodeJS.ProcessEnv = { ...process.env, EXTENSIONS_GALLERY: '{}', ...opts.env };
  // Not inherited: run from a VS Code terminal, VSCODE_IPC_HOOK_CLI would make code-server hand the
  // request to that VS Code; NODE_TEST_CONTEXT (set by `node --test`) would reach the extension host.
  for (const key of Object.keys(serverEnv)) {
    if (/^(VSCODE_|CODE_SERVER_|ELECTRON_)/.test(key) || key === 'NODE_TEST_CONTEXT') {
      if (!(opts.env && key in opts.env)) delete serverEnv[key];
    }
  }
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];

  let child: ReturnType<typeof spawn> | undefined;
  let context: BrowserContext | undefined;
  let stopped = false;
  let timeouts = 0;

  const stop = async ({ failed = false }: { failed?: boolean } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (context) {
      await Promise.race([context.close().catch(() => undefined), sleep(10_000)]);
    }
    if (child?.pid) {
      const pgid = child.pid;
      for (const [signal, graceMs] of [['SIGTERM', 5_000], ['SIGKILL', 5_000]] as const) {
        if (!groupAlive(pgid)) break;
        try { process.kill(-pgid, signal); } catch { /* gone */ }
        const deadline = Date.now() + graceMs;
        while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      }
      if (groupAlive(pgid)) log(`warning: process group ${pgid} still alive after SIGKILL`);
    }
    // Keep code-server's log and VS Code's logs (extension host, output channels) for a post-mortem.
    try {
      const keep = join(failureDir,
        failed || timeouts > 0 ? `logs-${new Date().toISOString().replace(/[:.]/g, '-')}` : 'logs-last');
      if (failed || timeouts > 0) log(`logs kept in ${keep}`);
      rmSync(keep, { recursive: true, force: true });
      mkdirSync(keep, { recursive: true });
      if (existsSync(logFile)) cpSync(logFile, join(keep, 'code-server.log'));
      if (existsSync(join(userData, 'logs'))) cpSync(join(userData, 'logs'), join(keep, 'vscode'), { recursive: true });
    } catch (err) {
      log(`could not keep logs: ${(err as Error).message}`);
    }
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
    log(`stopped (${((Date.now() - t0) / 1000).toFixed(1)} s after start)`);
  };

  try {
    if (opts.vsix) {
      const s = Date.now();
      const r = spawnSync(process.execPath, [entry, ...common, '--install-extension', resolve(opts.vsix), '--force'],
        { env: serverEnv, encoding: 'utf8', timeout: 120_000 });
      const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      if (r.status !== 0 || !/successfully installed/i.test(output)) {
        throw new Error(`installing ${opts.vsix} failed (${r.error?.message ?? `exit ${r.status}`}):\n${output}`);
      }
      log(`installed ${opts.vsix} (${((Date.now() - s) / 1000).toFixed(1)} s)`);
    }

    const settings = {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'extensions.ignoreRecommendations': true,
      'git.enabled': false,
      'git.autoRepositoryDetection': false,
      'security.workspace.trust.enabled': opts.workspaceTrust === true,
      'security.workspace.trust.startupPrompt': 'never',
      'files.autoSave': 'off',
      'window.restoreWindows': 'none',
      'chat.commandCenter.enabled': false,
      ...opts.settings,
    };
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');

    const out = openSync(logFile, 'a');
    try {
      child = spawn(process.execPath, [
        entry, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry',
        '--disable-update-check', ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']), '--ignore-last-opened', ...common, workspace,
      ], { env: serverEnv, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    let exited: string | undefined;
    child.on('exit', (code, signal) => { exited = signal ?? `exit ${code}`; });
    child.on('error', (err) => { exited = err.message; });

    const portDeadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!url) {
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(text);
      if (m) url = m[1];
      else if (exited) throw new Error(`code-server ended (${exited}) before listening:\n${text}`);
      else if (Date.now() > portDeadline) throw new Error(`code-server did not report its port in 60 s:\n${text}`);
      else await sleep(100);
    }
    log(`code-server pid ${child.pid} listening on ${url} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    context = await playwright().chromium.launchPersistentContext(browserProfile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const ctx = context;

    const screenshot = async (name: string, dir = screenshotDir): Promise<string> => {
      const file = resolve(dir, name.endsWith('.png') ? name : `${name}.png`); // an absolute name stays as it is
      mkdirSync(dirname(file), { recursive: true });
      await page.screenshot({ path: file });
      return file;
    };

    const waitFor = async <T>(condition: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> => {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await condition();
          if (value) return value as NonNullable<T>;
          last = value;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline) break;
        await sleep(200);
      }
      timeouts++;
      let shot = '(no screenshot)';
      try {
        shot = await screenshot(`timeout-${slug(what)}-${Date.now()}`, failureDir);
      } catch (err) {
        shot = `(screenshot failed: ${(err as Error).message})`;
      }
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      // A dialog or notification on screen often says why (e.g. "Command … resulted in an error").
      const onScreen = await page.locator('.monaco-dialog-box, .notification-toast').evaluateAll(
        (els) => els.map((e) => (e as unknown as Rendered).innerText.replace(/\s+/g, ' ').trim()).filter((t) => t !== ''),
      ).catch(() => [] as string[]);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last result: ${lastText}; screenshot: ${shot}` +
        (onScreen.length > 0 ? `; on screen: ${onScreen.map((t) => JSON.stringify(t)).join(', ')}` : ''));
    };

    const visibleQuickInput = '.quick-input-widget:not([style*="display: none"])';
    const quickInputVisible = () => page.locator(visibleQuickInput).isVisible();
    const quickRowLocator = page.locator(`${visibleQuickInput} .quick-input-list .monaco-list-row`);
    const quickRows = async () => Promise.all((await quickRowLocator.all()).map((row) => row.evaluate(quickRowText)));

    const focusWorkbench = async () => {
      // Keys reach VS Code only while focus is inside the workbench. If it is not, click an empty
      // spot in the middle of the status bar (no item there, so no side effect).
      // (A string, evaluated in the page: this project's tsconfig has no DOM types.)
      if (!(await page.evaluate<boolean>("!!document.activeElement?.closest('.monaco-workbench')"))) {
        const bar = await page.locator('.part.statusbar').boundingBox();
        if (bar) await page.mouse.click(bar.x + bar.width / 2, bar.y + bar.height / 2);
      }
    };

    const openFile = async (name: string) => {
      await focusWorkbench();
      await page.keyboard.press('Control+P');
      await waitFor(quickInputVisible, 'Quick Open to appear', 10_000);
      await page.keyboard.type(name);
      const base = name.split('/').pop()!;
      // Enter opens the focused row: wait until the filter has run and put the file on top (before
      // that, the list may still show recently opened files, with another one focused).
      const input = page.locator(`${visibleQuickInput} .quick-input-box input`);
      const focused = page.locator(`${visibleQuickInput} .quick-input-list .monaco-list-row.focused`);
      await waitFor(async () => (await input.inputValue()) === name && (await focused.count()) > 0 &&
        (await focused.first().innerText()).includes(base), `Quick Open to offer ${name} first`, 20_000);
      await page.keyboard.press('Enter');
      await waitFor(async () => {
        const active = page.locator('.tabs-container .tab.active');
        return (await active.count()) > 0 && (await active.first().innerText()).includes(base);
      }, `an active editor tab for ${name}`, 20_000);
      await waitFor(() => page.locator('.editor-instance .monaco-editor .view-lines').first().isVisible(),
        `the editor for ${name} to render`, 20_000);
    };

    const runCommand = async (title: string) => {
      await focusWorkbench();
      await page.keyboard.press('F1');
      await waitFor(quickInputVisible, 'the command palette to appear', 10_000);
      const input = page.locator(`${visibleQuickInput} .quick-input-box input`);
      await input.fill(`>${title}`);
      const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
      await waitFor(async () => {
        const focused = page.locator(`${visibleQuickInput} .quick-input-list .monaco-list-row.focused`);
        return (await focused.count()) > 0 && norm(await focused.first().innerText()).includes(norm(title));
      }, `command "${title}" in the command palette`, 15_000);
      await page.keyboard.press('Enter');
    };

    const quickItems = async () =>
      waitFor(async () => {
        if (!(await quickInputVisible())) return undefined;
        const rows = await quickRows();
        return rows.length > 0 ? rows : undefined;
      }, 'a quick pick with items', 15_000);

    const pickQuickItem = async (textContains: string) => {
      const row = page.locator(`${visibleQuickInput} .quick-input-list .monaco-list-row`, { hasText: textContains }).first();
      await quickItems();
      // The list is virtualised: an item far down is not rendered until the filter narrows it down,
      // so type the text into the filter box as a person would when it is not in sight.
      if (!(await row.isVisible())) {
        await page.locator(`${visibleQuickInput} .quick-input-box input`).fill(textContains);
      }
      await waitFor(() => row.isVisible(), `a quick pick item containing "${textContains}"`, 15_000);
      const text = await row.evaluate(quickRowText);
      await row.click();
      await waitFor(async () => !(await quickInputVisible()), 'the quick pick to close', 10_000);
      return text;
    };

    const problems = async () => {
      const panel = page.locator('.markers-panel');
      if (!(await panel.isVisible())) {
        await focusWorkbench();
        await page.keyboard.press('Control+Shift+M');
        await waitFor(() => panel.isVisible(), 'the Problems panel to open', 10_000);
      }
      return panel.locator('.monaco-list-row').evaluateAll(
        (els) => els.map((e) => (e as unknown as Rendered).innerText.replace(/\s+/g, ' ').trim()));
    };

    const statusBarItems = async () =>
      (await page.locator('.part.statusbar .statusbar-item').evaluateAll(
        (els) => els.map((e) => (e as unknown as Rendered).innerText.replace(/\s+/g, ' ').trim()))).filter((t) => t !== '');

    // Open the folder and wait for the workbench to be usable.
    let query = `folder=${encodeURIComponent(workspace)}`;
    const tests = opts.extensionTests;
    if (tests) {
      // The workbench calls these when the tests end and for the host's console (printf-style arguments).
      await page.exposeFunction('codeAutomationExit', (code: number) => tests.onExit(code));
      await page.exposeFunction('codeAutomationLog', (...args: unknown[]) => tests.onLog?.(args.map(String).join(' ')));
      const remote = (path: string) => `vscode-remote://${new URL(url).host}${resolve(path)}`;
      const payload = [
        ['extensionDevelopmentPath', remote(tests.developmentPath)],
        ['extensionTestsPath', remote(tests.testsPath)],
        ['skipWelcome', 'true'],
      ];
      query += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await page.goto(`${url}/?${query}`);
    await waitFor(() => page.locator('.monaco-workbench .part.statusbar').isVisible(), 'the workbench to render', 60_000);
    const hasFiles = spawnSync('sh', ['-c', 'ls -A "$0" | head -1', workspace], { encoding: 'utf8' }).stdout.trim() !== '';
    await waitFor(async () => {
      if (hasFiles) return (await page.locator('.explorer-folders-view .monaco-list-row').count()) > 0;
      return page.locator('.explorer-viewlet').isVisible();
    }, 'the explorer to list the workspace', 60_000);
    await page.locator('.part.editor').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    log(`workbench ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    return {
      url, page, context: ctx, pid: child.pid!, logFile,
      screenshot: (name) => screenshot(name), stop: (o) => stop(o), openFile, runCommand, pickQuickItem, quickItems,
      problems, statusBarItems, waitFor,
    };
  } catch (err) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    await stop({ failed: true });
    if (tail && err instanceof Error) err.message += `\n--- code-server log (tail) ---\n${tail}`;
    throw err;
  }
}
