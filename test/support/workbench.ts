// ProofPool's parts of a real VS Code page, read as a person sees them (see codeServer.ts for the
// page itself), and the processes a test started, found by their marker.

import type { VSCode } from './codeServer';
import { commandLine, processesWithTag } from './processes';

/** The ProofPool status bar item's text (codicons are not text), or undefined. */
export async function proofpoolStatus(v: VSCode): Promise<string | undefined> {
  return (await v.statusBarItems()).find((t) => t.includes('ProofPool'));
}

/** Whether the ProofPool status bar item shows a spinning icon. */
export async function statusSpinning(v: VSCode): Promise<boolean> {
  return (await v.page.locator('.part.statusbar .statusbar-item', { hasText: 'ProofPool' }).locator('.codicon-modifier-spin').count()) > 0;
}

/**
 * The active editor's gutter icons as "line:status", by line: each glyph is matched to the line
 * number beside it, and its status read from the icon's file name (media/gutter/<status>-<theme>.svg).
 */
export async function gutterIcons(v: VSCode): Promise<string[]> {
  // A string, evaluated in the page: this project's tsconfig has no DOM types.
  return v.page.evaluate<string[]>(`(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return [];
    const lines = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')]
      .map((e) => ({ n: Number(e.textContent), top: e.getBoundingClientRect().top }));
    if (lines.length === 0) return [];
    return [...editor.querySelectorAll('.glyph-margin-widgets .cgmr')].map((g) => {
      const top = g.getBoundingClientRect().top;
      const line = lines.reduce((a, b) => (Math.abs(b.top - top) < Math.abs(a.top - top) ? b : a));
      const m = /gutter%2F([A-Za-z]+)-(?:light|dark)\\.svg/.exec(getComputedStyle(g).backgroundImage);
      return { n: line.n, text: line.n + ':' + (m ? m[1] : 'other') };
    }).sort((a, b) => a.n - b.n).map((x) => x.text);
  })()`);
}

/**
 * The Workers view's rows as "label description" (expanding the view first if it is collapsed);
 * the row's own innerText glues the two together.
 */
export async function workersViewRows(v: VSCode): Promise<string[]> {
  const header = v.page.locator('.pane-header[aria-label^="ProofPool Workers"]');
  if (!/\bexpanded\b/.test((await header.getAttribute('class')) ?? '')) await header.click();
  const body = v.page.locator('.pane-header[aria-label^="ProofPool Workers"] + .pane-body');
  return body.locator('.monaco-list-row').evaluateAll((els) => els.map((row) => {
    const e = row as unknown as { querySelector(sel: string): { innerText: string } | null };
    const part = (sel: string) => (e.querySelector(sel)?.innerText ?? '').replace(/\s+/g, ' ').trim();
    return [part('.label-name'), part('.label-description')].filter((t) => t !== '').join(' ');
  }));
}

/** The texts of the notifications on screen. */
export async function notifications(v: VSCode): Promise<string[]> {
  return v.page.locator('.notification-toast').evaluateAll(
    (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim()));
}

/** Live processes carrying the marker that run `dist/<program>.js` (or coqidetop). */
export function ours(tag: string, program: 'server' | 'worker' | 'coqidetop'): number[] {
  const pattern = program === 'coqidetop' ? /coqidetop/ : new RegExp(`dist/${program}\\.js`);
  return processesWithTag(tag).filter((pid) => pattern.test(commandLine(pid)));
}

