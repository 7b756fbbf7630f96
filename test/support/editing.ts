/** A real document copied where it can be edited, as the edit bench and the soak edit it. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentResult } from '../../server/src/cli/serverSession';

export interface EditableCopy {
  /** The temporary folder (remove it when done). */
  dir: string;
  file: string;
  uri: string;
  /** The text as copied. */
  original: string;
}

/** Copies `source` into a fresh folder with a `_CoqProject` of `-Q . Test`, as `coqc -Q . Test` would see it. */
export function copyIntoProject(source: string): EditableCopy {
  const dir = mkdtempSync(join(tmpdir(), 'proofpool-edits-'));
  const file = basename(source);
  copyFileSync(source, join(dir, file));
  writeFileSync(join(dir, '_CoqProject'), '-Q . Test\n');
  return { dir, file, uri: pathToFileURL(join(dir, file)).href, original: readFileSync(join(dir, file), 'utf8') };
}

/** `from` replaced by `to`; `from` must occur exactly once. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  assert.ok(at >= 0 && text.indexOf(from, at + 1) < 0, `the edit must match once: ${from.slice(0, 60)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Diagnostics of severity Error. */
export function errorsOf(result: DocumentResult): DocumentResult['diagnostics'] {
  return result.diagnostics.filter((d) => d.severity === 1);
}
