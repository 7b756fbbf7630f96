/**
 * Where a document's coqidetop starts: the flags of the nearest `_CoqProject` upward (`-Q`, `-R`,
 * `-I`, `-arg`), run from that project's folder, with `-topfile` so the module is named as coqc names it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CoqRoot } from '../../../protocol/coqTasks';

export function findCoqProject(file: string): string | undefined {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const candidate = join(dir, '_CoqProject');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Splits a _CoqProject into words: blanks separate, double quotes group, `#` starts a comment. */
function words(text: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|#[^\n]*|(\S+)/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

/** The coqidetop flags a _CoqProject asks for; file names and unknown options are not flags. */
export function projectFlags(projectFile: string): string[] {
  const base = dirname(projectFile);
  const items = words(readFileSync(projectFile, 'utf8'));
  const flags: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if ((item === '-Q' || item === '-R') && i + 2 < items.length) {
      flags.push(item, resolve(base, items[i + 1]), items[i + 2]);
      i += 2;
    } else if (item === '-I' && i + 1 < items.length) {
      flags.push('-I', resolve(base, items[++i]));
    } else if (item === '-arg' && i + 1 < items.length) {
      flags.push(...words(items[++i]));
    }
  }
  return flags;
}

/** `extraArgs` (the user's setting) come before the project's flags. */
export function rootFor(file: string, extraArgs: string[] = []): CoqRoot {
  const path = resolve(file);
  const project = findCoqProject(path);
  // Coq then names the section variables each proof uses: what a stand-in `Admitted.` must declare.
  const args = [...extraArgs, ...(project ? projectFlags(project) : []), '-set', 'Suggest Proof Using', '-topfile', path];
  const cwd = project ? dirname(project) : dirname(path);
  return { args, cwd, key: JSON.stringify([cwd, args]) };
}
