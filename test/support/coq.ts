/** Ground truth from coqc, and real documents copied from the installed standard library. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const STDLIB = '/usr/lib/ocaml/coq/theories';

/** A fresh folder holding copies of these standard library files (paths relative to theories/). */
export function copyStdlib(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'proofpool-stdlib-'));
  for (const file of files) copyFileSync(join(STDLIB, file), join(dir, basename(file)));
  return dir;
}

export interface CoqcVerdict {
  ok: boolean;
  /** 1-based line of the first error, as coqc prints it. */
  firstErrorLine?: number;
  output: string;
}

/** Compiles `file` inside `dir` as `coqc -Q . Test`, then removes what coqc wrote. */
export function coqc(dir: string, file: string): CoqcVerdict {
  const result = spawnSync('coqc', ['-Q', '.', 'Test', file], { cwd: dir, encoding: 'utf8' });
  cleanCoqOutputs(dir);
  const output = `${result.stdout}${result.stderr}`;
  const line = /File "[^"]*", line (\d+)/.exec(output);
  return { ok: result.status === 0, firstErrorLine: line ? Number(line[1]) : undefined, output };
}

/** Removes compiled files and lia caches, which would make later runs cheaper or change them. */
export function cleanCoqOutputs(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (/\.(vo|vok|vos|glob)$|^\..*\.aux$|\.lia\.cache$/.test(name)) rmSync(join(dir, name), { force: true });
  }
}

/** Text edits that break a document at a chosen lemma, as a person might. */
export const breakages = {
  /** A tactic that cannot work, right after the lemma's `Proof.` */
  failingTactic(text: string, lemma: string): string {
    const at = text.indexOf('Proof.', statementAt(text, lemma)) + 'Proof.'.length;
    return `${text.slice(0, at)} exact I.${text.slice(at)}`;
  },
  /** The lemma's `Qed.` removed. */
  deletedQed(text: string, lemma: string): string {
    const at = text.indexOf('Qed.', statementAt(text, lemma));
    return text.slice(0, at) + text.slice(at + 'Qed.'.length);
  },
  /** An unparsable sentence just before the lemma. */
  syntaxError(text: string, lemma: string): string {
    const at = statementAt(text, lemma);
    return `${text.slice(0, at)}Definition oops := (1 + .\n${text.slice(at)}`;
  },
  /** `False ->` in front of the lemma's statement. */
  falseStatement(text: string, lemma: string): string {
    const colon = text.indexOf(':', statementAt(text, lemma));
    return `${text.slice(0, colon + 1)} False ->${text.slice(colon + 1)}`;
  },
};

function statementAt(text: string, lemma: string): number {
  const match = new RegExp(`(Lemma|Theorem) ${lemma}\\b`).exec(text);
  if (!match) throw new Error(`no lemma ${lemma} in the document`);
  return match.index;
}
