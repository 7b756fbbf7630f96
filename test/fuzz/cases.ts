/**
 * The fuzz corpus: named pathological documents (each is in every run), and random ones built from
 * a seed: Coq-ish token soup, binary garbage, random but well-nested documents, and mutations of
 * the real standard library sources. A case is a pure function of (master seed, index).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STDLIB } from '../support/coq';
import { caseSeed, Prng } from './prng';

export interface FuzzCase {
  index: number;
  seed: number;
  /** What made it: a named case's name, or the generator ("tokens", "binary", "mutation of Lists/List.v"...). */
  kind: string;
  text: string;
}

export interface NamedCase {
  name: string;
  make(): string;
  /** Too costly to send through Coq end to end (e.g. thousands of real proofs): in-process only. */
  inProcessOnly?: boolean;
}

const MB = 1_000_000;
const DEPTH = 100_000;

/** Bytes that are not UTF-8: stray continuation bytes, cut sequences, overlong forms, encoded surrogates, 0xFF. */
const INVALID_UTF8 = Buffer.from([0x80, 0xbf, 0xc3, 0x28, 0xe2, 0x82, 0x20, 0xf0, 0x28, 0x8c, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xf8, 0x88, 0x80]);

/** A Coq document around bad bytes, decoded as an editor would (invalid sequences become U+FFFD). */
function aroundInvalidUtf8(): string {
  const parts = [Buffer.from('Lemma l : True.\nProof. exact I. Qed.\nDefinition d := "'), INVALID_UTF8, Buffer.from('".\nCheck d. '), INVALID_UTF8, Buffer.from('.\n')];
  return Buffer.concat(parts).toString('utf8');
}

/** The pathological documents every run tries, in-process and through the server. */
export const NAMED_CASES: readonly NamedCase[] = [
  { name: 'empty document', make: () => '' },
  { name: 'only blanks', make: () => ' \n\t\r\f'.repeat(1000) },
  { name: 'unterminated comment', make: () => 'Lemma l : True.\nProof. exact I. Qed.\n(* never closed\nCheck 1.\n' },
  { name: 'unterminated string', make: () => 'Definition s := "never closed.\nCheck s.\nLemma l : True. Proof. exact I. Qed.\n' },
  { name: 'unterminated string inside a comment', make: () => 'Check 1.\n(* a " inside *)\nCheck 2.\n' },
  { name: 'unterminated quotation', make: () => 'Ltac2 f := ltac2:{{ never closed. Check 1.\n' },
  { name: 'statement with no proof end', make: () => 'Lemma l : True.\nProof.\n  exact I.\n' },
  { name: 'proof ends with no statement', make: () => 'Qed.\nAdmitted.\nEnd S.\nProof.\nDefined.\n' },
  { name: 'invalid UTF-8 (decoded as an editor does)', make: aroundInvalidUtf8 },
  { name: 'lone UTF-16 surrogates', make: () => 'Check 1.\n(* \uD800 *)\nDefinition x := "\uDC00\uD83D".\nCheck \uDFFF.\n\uD83D\uDE00.\n' },
  { name: 'NUL and control characters', make: () => 'Check\u00001.\n\u0001\u0002\u0003\u001b[31m.\nCheck 2.\u0000\n\u007f\u0085\u2028\u2029\uFEFF.\n' },
  { name: 'carriage returns only', make: () => 'Lemma l : True.\rProof.\r  exact I.\rQed.\rCheck l.\r' },
  { name: '10 MB of text', make: tenMegabytes },
  // Coq itself needs minutes to parse this one sentence (coqc too): in-process only.
  { name: '10 MB in one unterminated sentence', make: () => `Definition x := ${'f x '.repeat((10 * MB) / 4)}`, inProcessOnly: true },
  { name: '1 MB of binary garbage', make: () => new Prng(1).bytes(MB).toString('utf8') },
  { name: '1 MB of binary garbage read as Latin-1', make: () => new Prng(2).bytes(MB).toString('latin1') },
  { name: '100k nested comments, unterminated', make: () => '(*'.repeat(DEPTH) },
  { name: '100k nested comments, closed', make: () => `${'(*'.repeat(DEPTH)}${'*)'.repeat(DEPTH)}\nCheck 1.\n` },
  { name: '100k comment closings with no opening', make: () => `${'*)'.repeat(DEPTH)} Check 1.\n` },
  { name: '100k dots', make: () => '.'.repeat(DEPTH) },
  { name: '100k one-character sentences', make: () => '. '.repeat(DEPTH) },
  { name: '100k sentences a.', make: () => 'a. '.repeat(DEPTH) },
  { name: '100k a. with no blanks', make: () => 'a.'.repeat(DEPTH) },
  { name: '100k bullets', make: () => '-\n'.repeat(DEPTH) },
  { name: '100k braces', make: () => '{'.repeat(DEPTH) },
  { name: '100k quotes', make: () => '"'.repeat(DEPTH + 1) },
  { name: '100k nested quotations', make: () => 'x:{{'.repeat(DEPTH) },
  // Coq's cost grows much faster than the nesting (coqc: 1,000 in 0.1 s, 4,000 in 10 s): in-process only.
  { name: '100k Sections opened', make: () => 'Section S. '.repeat(DEPTH), inProcessOnly: true },
  { name: '100k Ends with no Section', make: () => 'End S. '.repeat(DEPTH) },
  { name: '100k statements inside one proof', make: () => `Lemma l : True.\nProof.\n${'Lemma m : True. '.repeat(DEPTH)}Qed.\n` },
  { name: '100k control prefixes', make: () => `${'Fail Time Timeout 1 Redirect "f" '.repeat(DEPTH / 4)}auto.\n` },
  { name: '100k attribute brackets', make: () => `${'#['.repeat(DEPTH)} Lemma l : True. Proof. exact I. Qed.\n` },
  { name: '20k trivial proofs', make: () => 'Goal True. exact I. Qed.\n'.repeat(20_000), inProcessOnly: true },
];

/** Ten megabytes mixing real-looking sentences, comments, strings, bullets and garbage. */
function tenMegabytes(): string {
  const prng = new Prng(10);
  const pieces = ['Lemma l : forall n, n + 0 = n. ', '(* (* c *) "s" *) ', 'Proof. ', '- { intros. } ', 'Qed. ', 'x.1 ', 'Check "a""b". ', '\n'];
  const out: string[] = [];
  let length = 0;
  while (length < 10 * MB) {
    const piece = prng.chance(0.02) ? prng.bytes(prng.between(1, 40)).toString('latin1') : prng.pick(pieces);
    out.push(piece);
    length += piece.length;
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Random documents

/** Fragments that matter to the lexer and to the segment finder, and some that should not. */
const TOKENS = [
  '(*', '*)', '"', '""', '.', '..', '...', ' ', ' ', '\n', '\n', '\r', '\t', '\f', '-', '--', '+', '*', '**', '{', '}', '{{', '}}',
  'x:{{', 'ltac2:{{', '1:', '2: {', '[G]:', '[', ']', ':', 'Fail ', 'Time ', 'Timeout 3 ', 'Redirect "f" ', 'Lemma l : True.',
  'Theorem t:', 'Goal True.', 'Proof.', 'Proof using x.', 'Qed.', 'Admitted.', 'Defined.', 'Abort.', 'Save.', 'Section S.',
  'End S.', 'Module M.', 'Module Type T.', 'Module M := N.', 'End M.', '#[local]', '#[', 'Local ', 'Global ', 'Polymorphic ',
  'exact I.', 'intros.', 'a.1', 'Nat.add', '.(', 'x', 'y\'', '_', '0', '\0', '\uD800', '\uDFFF', '\uD83D\uDE00', 'é', '\uFFFD',
  '\u2028', '\uFEFF', '<', '>', '&', '&#65;', '&nbsp;', ']]>',
];

function tokenSoup(prng: Prng): string {
  const count = prng.chance(0.1) ? prng.between(1000, 20_000) : prng.between(0, 400);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(prng.chance(0.05) ? String.fromCharCode(prng.int(0x10000)) : prng.pick(TOKENS));
  return out.join('');
}

function binary(prng: Prng): string {
  const bytes = prng.bytes(prng.chance(0.1) ? prng.between(10_000, 200_000) : prng.between(0, 2000));
  switch (prng.int(3)) {
    case 0:
      return bytes.toString('utf8');
    case 1:
      return bytes.toString('latin1');
    default: {
      // Raw UTF-16 code units: lone surrogates and all.
      let text = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16LE(i));
      return text;
    }
  }
}

/**
 * Random documents that are mostly well-formed: nested Sections and Modules, proofs closed in every
 * way or not at all; with `garbage`, bits of token soup too (without, Coq gets further into them).
 */
function structured(prng: Prng, garbage: boolean): string {
  const out: string[] = [];
  const open: string[] = [];
  const steps = prng.between(1, 300);
  for (let i = 0; i < steps; i++) {
    const roll = prng.int(12);
    if (roll === 0) {
      const name = `S${i}`;
      open.push(name);
      out.push(`${prng.pick(['Section', 'Module', 'Module Type'])} ${name}.`);
    } else if (roll === 1 && (open.length > 0 || prng.chance(0.2))) {
      out.push(`End ${open.pop() ?? 'Nowhere'}.`);
    } else if (roll <= 7) {
      const prefix = prng.pick(['', '', '#[local] ', 'Local ', 'Global ', 'Polymorphic ', '#[program] ', '(* doc *) ']);
      out.push(`${prefix}${prng.pick(['Lemma', 'Theorem', 'Fact', 'Remark', 'Corollary', 'Proposition', 'Example', 'Definition'])} l${i} : True.`);
      if (prng.chance(0.7)) out.push(prng.pick(['Proof.', 'Proof using.', 'Proof using x y.', '']));
      const tactics = prng.between(0, 5);
      for (let t = 0; t < tactics; t++) out.push(prng.pick(['exact I.', '- exact I.', '{ exact I. }', '2: { idtac. }', 'Lemma nested : True.', 'idtac "a.b".', 'Fail Qed.']));
      out.push(prng.pick(['Qed.', 'Qed.', 'Admitted.', 'Defined.', 'Abort.', 'Save l.', '', 'Qed']));
    } else if (roll <= 9) {
      out.push(prng.pick(['Check 1.', 'Variable x : nat.', 'Hypothesis H : x = x.', 'Require Import Arith.', 'Obligation 1.', 'Next Obligation.']));
    } else if (garbage) {
      out.push(tokenSoup(prng).slice(0, 40));
    }
  }
  return out.join(prng.pick([' ', '\n', '\n\n', '\r\n']));
}

let stdlibFiles: string[] | undefined;

/** Every `.v` under the installed standard library (Coq 8.16's theories/), relative to it. */
export function stdlibSources(): string[] {
  if (!stdlibFiles) {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(join(STDLIB, dir))) {
        const path = join(dir, name);
        if (statSync(join(STDLIB, path)).isDirectory()) walk(path);
        else if (name.endsWith('.v')) found.push(path);
      }
    };
    if (existsSync(STDLIB)) walk('');
    stdlibFiles = found.sort();
  }
  return stdlibFiles;
}

/**
 * A real standard library file with random damage: deleted, duplicated or inserted bytes, flipped
 * bytes, a cut-off end. `maxBytes` keeps only its start (end-to-end cases stay cheap for Coq).
 */
function mutation(prng: Prng, maxBytes?: number): [string, string] | undefined {
  const files = stdlibSources();
  if (files.length === 0) return undefined; // Coq is not installed: other generators take its share
  const file = prng.pick(files);
  let bytes = readFileSync(join(STDLIB, file));
  if (maxBytes !== undefined) bytes = bytes.subarray(0, maxBytes);
  const edits = prng.between(1, 8);
  const range = (): [number, number] => {
    const start = prng.int(bytes.length + 1);
    return [start, Math.min(bytes.length, start + prng.between(1, prng.chance(0.2) ? 5000 : 50))];
  };
  for (let e = 0; e < edits; e++) {
    const [start, end] = range();
    switch (prng.int(5)) {
      case 0: // delete
        bytes = Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
        break;
      case 1: {
        // duplicate a range somewhere else
        const at = prng.int(bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(start, end), bytes.subarray(at)]);
        break;
      }
      case 2: {
        // insert random bytes or a token
        const inserted = prng.chance(0.5) ? prng.bytes(prng.between(1, 16)) : Buffer.from(prng.pick(TOKENS));
        bytes = Buffer.concat([bytes.subarray(0, start), inserted, bytes.subarray(start)]);
        break;
      }
      case 3: // flip bytes
        for (let i = start; i < end && i < bytes.length; i++) if (prng.chance(0.3)) bytes[i] ^= 1 << prng.int(8);
        break;
      default: // truncate
        bytes = bytes.subarray(0, start);
    }
  }
  return [`mutation of ${file}`, bytes.toString(prng.chance(0.9) ? 'utf8' : 'latin1')];
}

function randomCase(prng: Prng, endToEnd: boolean): [string, string] {
  const roll = prng.int(10);
  if (roll < 4) {
    const mutated = mutation(prng, endToEnd ? 6000 : undefined);
    if (mutated) return mutated;
  }
  if (roll < 6) return prng.chance(0.5) ? ['structured', structured(prng, true)] : ['structured, no garbage', structured(prng, false)];
  if (roll < 8) return ['tokens', endToEnd ? tokenSoup(prng).slice(0, 20_000) : tokenSoup(prng)];
  return ['binary', endToEnd ? binary(prng).slice(0, 20_000) : binary(prng)];
}

/**
 * Case `index` of a run with seed `master`: the named cases first (`named` of them, all by
 * default), then random ones. End-to-end cases skip the named cases marked in-process only and keep
 * random documents small, since Coq really runs them.
 */
export function fuzzCase(master: number, index: number, endToEnd = false): FuzzCase {
  const named = endToEnd ? NAMED_CASES.filter((c) => !c.inProcessOnly) : NAMED_CASES;
  const seed = caseSeed(master, index);
  if (index < named.length) return { index, seed, kind: named[index].name, text: named[index].make() };
  const [kind, text] = randomCase(new Prng(seed), endToEnd);
  return { index, seed, kind, text };
}

export function namedCaseCount(endToEnd = false): number {
  return endToEnd ? NAMED_CASES.filter((c) => !c.inProcessOnly).length : NAMED_CASES.length;
}
