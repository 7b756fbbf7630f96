import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { splitSentences, type Sentence } from '../../server/src/coq/sentences';

const texts = (src: string): string[] => splitSentences(src).map((s) => s.text);

/** What must hold for every input: sentences in order, not overlapping, `text` is the slice, only the last
 * one may be incomplete, and what lies between them is blanks and comments. */
function checkInvariants(src: string, sentences: Sentence[]): void {
  let previousEnd = 0;
  sentences.forEach((s, k) => {
    assert.ok(s.start >= previousEnd && s.end > s.start && s.end <= src.length, `sentence ${k} out of place`);
    assert.equal(s.text, src.slice(s.start, s.end));
    assert.ok(s.complete || k === sentences.length - 1, `sentence ${k} incomplete but not last`);
    const gap = src.slice(previousEnd, s.start).trim();
    assert.ok(gap === '' || (gap.startsWith('(*') && gap.endsWith('*)')), `gap before sentence ${k}: ${gap.slice(0, 80)}`);
    previousEnd = s.end;
  });
  const rebuilt = sentences.map((s, k) => src.slice(k === 0 ? 0 : sentences[k - 1]!.end, s.start) + s.text).join('');
  assert.equal(rebuilt + src.slice(previousEnd), src);
}

test('splits several sentences on one line', () => {
  assert.deepEqual(splitSentences('Proof. intros. Qed.'), [
    { text: 'Proof.', start: 0, end: 6, complete: true },
    { text: 'intros.', start: 7, end: 14, complete: true },
    { text: 'Qed.', start: 15, end: 19, complete: true },
  ]);
});

test('a dot at the very end of the text ends a sentence', () => {
  assert.deepEqual(splitSentences('Check 1.'), [{ text: 'Check 1.', start: 0, end: 8, complete: true }]);
});

test('a dot ends a sentence before any blank: space, tab, newline, CR, form feed', () => {
  assert.deepEqual(texts('A.\tB.\nC.\rD.\fE. F.'), ['A.', 'B.', 'C.', 'D.', 'E.', 'F.']);
});

test('CRLF line ends', () => {
  const src = 'Lemma l : True.\r\nProof.\r\n  exact I.\r\nQed.\r\n';
  assert.deepEqual(texts(src), ['Lemma l : True.', 'Proof.', 'exact I.', 'Qed.']);
  checkInvariants(src, splitSentences(src));
});

test('dots inside qualified names, projections and numbers do not end a sentence', () => {
  const src = 'Definition y := Nat.add x.1 (r.(field)) + 1.5e3.\nCheck y.';
  assert.deepEqual(texts(src), ['Definition y := Nat.add x.1 (r.(field)) + 1.5e3.', 'Check y.']);
});

test('a dot directly followed by a comment does not end a sentence (Coq lexes `.(`)', () => {
  assert.deepEqual(texts('Check x.(* c *)\nCheck y.'), ['Check x.(* c *)\nCheck y.']);
});

test('`..` never ends a sentence, even before a blank, as in recursive notations', () => {
  const src = 'Notation "[ x ; .. ; y ]" := (cons x .. (cons y nil) ..).\nNotation "\'ex\' x .. y , p" := (ex (fun x => .. (ex (fun y => p)) ..)).\n';
  assert.deepEqual(texts(src), [
    'Notation "[ x ; .. ; y ]" := (cons x .. (cons y nil) ..).',
    'Notation "\'ex\' x .. y , p" := (ex (fun x => .. (ex (fun y => p)) ..)).',
  ]);
  assert.deepEqual(texts('Check f x .. y.'), ['Check f x .. y.']);
});

test('in `...` the third dot ends the sentence', () => {
  assert.deepEqual(texts('Check x... Check y.'), ['Check x...', 'Check y.']);
});

test('leading blanks and comments are not part of a sentence, comments inside it are kept', () => {
  const src = '  (* header *)\n\n(* a (* nested *) one *) Check (* inside *) 1.  (* trailing *)\n';
  const [s, ...rest] = splitSentences(src);
  assert.deepEqual(rest, []);
  assert.equal(s!.text, 'Check (* inside *) 1.');
  assert.equal(s!.start, src.indexOf('Check'));
});

test('a document with only blanks and comments has no sentences', () => {
  assert.deepEqual(splitSentences(''), []);
  assert.deepEqual(splitSentences(' \n\t\r\n'), []);
  assert.deepEqual(splitSentences('(* Check 1. *)\n(* - { } *)\n(* (* Qed. *) *)'), []);
});

test('`(*)` opens a comment that `*)` closes', () => {
  assert.deepEqual(texts('(*) Check 1. *) Check 2.'), ['Check 2.']);
});

test('a string inside a comment is lexed as a string, so `*)` in it does not close the comment', () => {
  assert.deepEqual(texts('(* "*)" Check 1. *) Check 2.'), ['Check 2.']);
  assert.deepEqual(texts('(* "(*" *) Check 2.'), ['Check 2.']);
});

test('`(*`, `*)` and `. ` inside a string are not special', () => {
  assert.deepEqual(texts('Definition s := "(* . *)". Check s.'), ['Definition s := "(* . *)".', 'Check s.']);
});

test('a doubled quote is a quote inside a string', () => {
  assert.deepEqual(texts('Definition x := "a"". ".\nCheck x.'), ['Definition x := "a"". ".', 'Check x.']);
  assert.deepEqual(texts('Definition x := "a"".".'), ['Definition x := "a"".".']);
});

test('bullets at nested levels are sentences of their own', () => {
  const src = 'Proof.\n  split.\n  - split.\n    + auto.\n    + ** auto.\n  -- auto.\n  +++ *** auto.\nQed.';
  assert.deepEqual(texts(src), ['Proof.', 'split.', '-', 'split.', '+', 'auto.', '+', '**', 'auto.', '--', 'auto.', '+++', '***', 'auto.', 'Qed.']);
});

test('a bullet right after a comment is still a bullet', () => {
  assert.deepEqual(texts('auto. (* c *)- auto.'), ['auto.', '-', 'auto.']);
});

test('braces at a sentence start are sentences of their own', () => {
  assert.deepEqual(texts('split. { auto. } {auto. }}'), ['split.', '{', 'auto.', '}', '{', 'auto.', '}', '}']);
});

test('goal selectors with a brace are one sentence: `2: {`, `2 : {`, `[G]: {`', () => {
  assert.deepEqual(texts('2: { auto. }\n10 :\n{ auto. }\n[G]: { auto. }\n[x\'_1]:{ auto. }'), [
    '2: {', 'auto.', '}', '10 :\n{', 'auto.', '}', '[G]: {', 'auto.', '}', "[x'_1]:{", 'auto.', '}',
  ]);
});

test('a goal selector without a brace is an ordinary sentence', () => {
  assert.deepEqual(texts('2: auto. all: auto. [G]: auto.'), ['2: auto.', 'all: auto.', '[G]: auto.']);
});

test('Fail, Time, Timeout and Redirect in front of a bullet or brace belong to it', () => {
  assert.deepEqual(texts('Fail }\nTime Fail - auto.\nTimeout 5 {\nRedirect "f" 2: {'), [
    'Fail }', 'Time Fail -', 'auto.', 'Timeout 5 {', 'Redirect "f" 2: {',
  ]);
  assert.deepEqual(texts('Time auto. Failure - x.'), ['Time auto.', 'Failure - x.']);
});

test('braces, bars and operators inside a sentence do not end it', () => {
  const src = 'Definition t := {x : nat | x > 0}.\nDefinition r := {| a := 1; b := 2 - 1 |}.\nCheck 2 * 3 + 4.\nexists {| a := 1 |}.';
  assert.deepEqual(texts(src), [
    'Definition t := {x : nat | x > 0}.',
    'Definition r := {| a := 1; b := 2 - 1 |}.',
    'Check 2 * 3 + 4.',
    'exists {| a := 1 |}.',
  ]);
});

test('dots and braces inside a quotation `x:{{ ... }}` are not special', () => {
  assert.deepEqual(texts('Check foo:{{ a. } {{ b. }} }} . Check 2.'), ['Check foo:{{ a. } {{ b. }} }} .', 'Check 2.']);
  assert.deepEqual(texts('Check foo:{{{ a. }} }}}. Check 2.'), ['Check foo:{{{ a. }} }}}.', 'Check 2.']);
});

test('an unterminated last sentence is returned incomplete, without its trailing blanks', () => {
  assert.deepEqual(splitSentences('Check 1.\nLemma foo : True\n\n'), [
    { text: 'Check 1.', start: 0, end: 8, complete: true },
    { text: 'Lemma foo : True', start: 9, end: 25, complete: false },
  ]);
});

test('an unterminated comment is an incomplete fragment running to the end', () => {
  assert.deepEqual(splitSentences('Check 1. (* open (* *) . '), [
    { text: 'Check 1.', start: 0, end: 8, complete: true },
    { text: '(* open (* *) . ', start: 9, end: 25, complete: false },
  ]);
  assert.deepEqual(splitSentences('Check (* open'), [{ text: 'Check (* open', start: 0, end: 13, complete: false }]);
  assert.deepEqual(splitSentences('(* "*) *)'), [{ text: '(* "*) *)', start: 0, end: 9, complete: false }]);
});

test('an unterminated string is an incomplete fragment running to the end', () => {
  assert.deepEqual(splitSentences('Check 1. Definition s := "abc. \n'), [
    { text: 'Check 1.', start: 0, end: 8, complete: true },
    { text: 'Definition s := "abc. \n', start: 9, end: 32, complete: false },
  ]);
});

test('an unterminated quotation is an incomplete fragment running to the end', () => {
  assert.deepEqual(texts('Check 1. Check x:{{ a. } b.'), ['Check 1.', 'Check x:{{ a. } b.']);
  assert.equal(splitSentences('Check x:{{ a. } b.')[0]!.complete, false);
});

test('offsets are UTF-16 string indices, also after non-BMP characters', () => {
  const src = '(* ∀ λ, 😀 *) Lemma α : ∀ n, n = n.\nQed.';
  const [lemma, qed] = splitSentences(src);
  assert.equal(lemma!.start, src.indexOf('Lemma'));
  assert.equal(lemma!.text, 'Lemma α : ∀ n, n = n.');
  assert.equal(qed!.start, src.indexOf('Qed'));
  assert.equal(qed!.end, src.length);
});

test('a 10 MB document is split completely', () => {
  const line = 'Lemma l : forall n, n + 0 = n. (* (* c *) "s" *) Proof. - { intros. } Qed.\n';
  const count = Math.ceil(10_000_000 / line.length);
  const sentences = splitSentences(line.repeat(count));
  assert.equal(sentences.length, count * 7);
  assert.equal(sentences.at(-1)!.text, 'Qed.');
});

test('100k one-character sentences', () => {
  assert.equal(splitSentences('-\n'.repeat(100_000)).length, 100_000);
  assert.equal(splitSentences('{}'.repeat(50_000)).length, 100_000);
  assert.equal(splitSentences('. '.repeat(100_000)).length, 100_000);
});

test('deeply nested comments neither recurse nor hang', () => {
  const depth = 1_000_000;
  assert.deepEqual(splitSentences('(*'.repeat(depth) + '*)'.repeat(depth) + ' Check 1.').map((s) => s.text), ['Check 1.']);
  const open = splitSentences('(*'.repeat(depth) + '*)'.repeat(depth - 1));
  assert.equal(open.length, 1);
  assert.equal(open[0]!.complete, false);
});

test('long runs that look like separators or controls stay linear', () => {
  assert.equal(splitSentences('Fail '.repeat(200_000) + 'auto.').length, 1);
  assert.equal(splitSentences('1'.repeat(1_000_000) + ' : x.').length, 1);
  assert.equal(splitSentences('x:{{'.repeat(200_000)).length, 1);
});

test('binary garbage never throws and keeps the invariants', () => {
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = '.(*)"{}-+ \n\r\t:[]x2\0\uD83D\uDE00\uDFFF';
  for (let round = 0; round < 300; round++) {
    let src = '';
    const length = Math.floor(random() * 200);
    for (let k = 0; k < length; k++) {
      src += random() < 0.5 ? alphabet[Math.floor(random() * alphabet.length)] : String.fromCharCode(Math.floor(random() * 0x10000));
    }
    checkInvariants(src, splitSentences(src));
  }
});

// Standard library sources, with the number of sentences `coqc -time` (Coq 8.16.1) runs in them; the count is only
// compared when the installed file has the length it had then.
const stdlib = '/usr/lib/ocaml/coq/theories';
const stdlibFiles: { path: string; length: number; sentences: number }[] = [
  { path: 'Lists/List.v', length: 99520, sentences: 2842 },
  { path: 'Init/Logic.v', length: 41534, sentences: 621 },
  { path: 'Program/Equality.v', length: 17094, sentences: 130 },
];

for (const file of stdlibFiles) {
  const path = `${stdlib}/${file.path}`;
  test(`standard library ${file.path}: gaps and sentences rebuild it, every sentence is terminated`, { skip: !existsSync(path) && 'Coq is not installed' }, () => {
    const src = readFileSync(path, 'utf8');
    const sentences = splitSentences(src);
    checkInvariants(src, sentences);
    for (const s of sentences) {
      assert.ok(s.complete && (s.text.endsWith('.') || /^(?:(?:Fail|Time)\s+)*(?:[-+*]+|\{|\}|\d+\s*:\s*\{|\[\w+\]\s*:\s*\{)$/.test(s.text)), s.text);
    }
    if (src.length === file.length) assert.equal(sentences.length, file.sentences);
  });
}
