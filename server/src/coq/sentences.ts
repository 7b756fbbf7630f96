// Splits a Coq document into sentences the way CoqIDE does (Coq 8.16, ide/coqide/coq_lex.mll),
// so that the workers are fed exactly the sentences a CoqIDE user would step through.
// It is one left-to-right scan with no regexes and no recursion: linear time on any input,
// and it never throws (an unfinished last sentence is returned with `complete: false`).

/** One Coq sentence of a document. Offsets are UTF-16 offsets into the document text (JS string indices). */
export interface Sentence {
  /** The sentence text, exactly text.slice(start, end): from its first character that is not blank and not inside a comment, up to and including its terminating '.' (or the bullet / brace). Comments inside the sentence are kept. */
  text: string;
  start: number;
  end: number;
  /** false only for a last fragment with no terminator (e.g. `Lemma foo : True` at end of file, or an unterminated comment/string). Coq itself will then report the syntax error. */
  complete: boolean;
}

const QUOTE = 0x22; // "
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** coq_lex's `space`: only these five count, as in Coq's own lexer (form feed included). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
/** ASCII letters only: coq_lex's `alpha`. */
function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
function isIdentChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 0x5f /* _ */ || c === 0x27 /* ' */;
}

/** From just after an opening quote: index just after the closing quote, or -1 if the string never ends. `""` is an escaped quote. */
function skipString(text: string, i: number): number {
  while (i < text.length) {
    if (text.charCodeAt(i) === QUOTE) {
      if (text.charCodeAt(i + 1) !== QUOTE) return i + 1;
      i += 2;
    } else i++;
  }
  return -1;
}

/** From just after `(*`: index just after the matching `*)`, or -1. Comments nest, and strings inside them are
 * lexed as strings, so `(* "*)" *)` is a single comment. A depth counter replaces coq_lex's recursion. */
function skipComment(text: string, i: number): number {
  let depth = 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === LPAREN && text.charCodeAt(i + 1) === STAR) {
      depth++;
      i += 2;
    } else if (c === STAR && text.charCodeAt(i + 1) === RPAREN) {
      i += 2;
      if (--depth === 0) return i;
    } else if (c === QUOTE) {
      i = skipString(text, i + 1);
      if (i < 0) return -1;
    } else i++;
  }
  return -1;
}

/** From the first `{` of a quotation `x:{{ ... }}`: index just after it ends, or -1. A quotation opened with
 * N braces (N >= 2) nests on runs of N `{` and closes on runs of N `}`, as in coq_lex's `quotation*` rules. */
function skipQuotation(text: string, i: number): number {
  let braces = 0;
  while (text.charCodeAt(i) === LBRACE) {
    braces++;
    i++;
  }
  // coq_lex's quotation_start swallows the first character after the opening braces unexamined.
  i++;
  let level = 1;
  let run = 0; // length of the current run of `runOf` characters
  let runOf = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== LBRACE && c !== RBRACE) {
      run = 0;
      continue;
    }
    run = c === runOf ? run + 1 : 1;
    runOf = c;
    if (run < braces) continue;
    run = 0; // a complete run: the next brace starts a new one
    if (c === LBRACE) level++;
    else if (--level === 0) return i + 1;
  }
  return -1;
}

/** After `keyword` at i, followed by at least one space: index after those spaces, or -1. */
function keywordThenSpaces(text: string, i: number, keyword: string): number {
  if (!text.startsWith(keyword, i)) return -1;
  return skipSpaces(text, i + keyword.length, 1);
}
function skipSpaces(text: string, i: number, atLeast = 0): number {
  const from = i;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i - from >= atLeast ? i : -1;
}

/** coq_lex's `(vernac_control space+)*`: `Fail`, `Time`, `Redirect "file"`, `Timeout n`, each followed by blanks.
 * Returns the index after the last one (i itself if there is none). */
function skipControls(text: string, i: number): number {
  for (;;) {
    let j = keywordThenSpaces(text, i, 'Fail');
    if (j < 0) j = keywordThenSpaces(text, i, 'Time');
    if (j < 0) {
      j = keywordThenSpaces(text, i, 'Timeout');
      if (j >= 0) {
        const k = j;
        while (isDigit(text.charCodeAt(j))) j++;
        j = j > k ? skipSpaces(text, j, 1) : -1;
      }
    }
    if (j < 0) {
      // coq_lex's `string` here is a greedy `"\"" _+ "\""`; a real Coq string is what is meant.
      j = keywordThenSpaces(text, i, 'Redirect');
      if (j >= 0) j = text.charCodeAt(j) === QUOTE ? skipString(text, j + 1) : -1;
      if (j >= 0) j = skipSpaces(text, j, 1);
    }
    if (j < 0) return i;
    i = j;
  }
}

/** coq_lex's `(vernac_control space+)* undotted_sep` at a sentence start: a bullet (`-`, `++`, `***`...), a brace,
 * or a goal selector and brace (`2: {`, `[G]: {`), maybe behind `Fail`/`Time`... Returns its end, or -1.
 * Everything it scans over belongs to the sentence starting at i, so trying it keeps the scan linear. */
function matchSeparator(text: string, i: number): number {
  i = skipControls(text, i);
  const c = text.charCodeAt(i);
  if (c === LBRACE || c === RBRACE) return i + 1;
  if (c === MINUS || c === PLUS || c === STAR) {
    while (text.charCodeAt(i) === c) i++;
    return i;
  }
  // A goal selector: `number` or `[ident]`, then `space* ':' space* '{'`.
  let j = i;
  if (isDigit(c)) {
    while (isDigit(text.charCodeAt(j))) j++;
  } else if (c === LBRACKET && isAlpha(text.charCodeAt(i + 1))) {
    j = i + 2;
    while (isIdentChar(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j++) !== RBRACKET) return -1;
  } else return -1;
  j = skipSpaces(text, j);
  if (text.charCodeAt(j) !== COLON) return -1;
  j = skipSpaces(text, j + 1);
  return text.charCodeAt(j) === LBRACE ? j + 1 : -1;
}

export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  const n = text.length;
  // Start of the sentence being read, or -1 between sentences (coq_lex's `initial`): only there are bullets
  // and braces sentences of their own, and only blanks and comments keep us there.
  let start = -1;
  const end = (to: number, complete: boolean): void => {
    sentences.push({ text: text.slice(start, to), start, end: to, complete });
    start = -1;
  };
  /** The rest of the text is an unterminated comment, string or quotation: one last, incomplete fragment. */
  const unterminated = (at: number): Sentence[] => {
    if (start < 0) start = at;
    end(n, false);
    return sentences;
  };

  let i = 0;
  let sep: number;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === LPAREN && text.charCodeAt(i + 1) === STAR) {
      // Comments do not start a sentence, nor end one.
      const after = skipComment(text, i + 2);
      if (after < 0) return unterminated(i);
      i = after;
    } else if (start < 0 && (sep = matchSeparator(text, i)) >= 0) {
      start = i;
      i = sep;
      end(i, true);
    } else {
      if (start < 0) start = i;
      if (c === QUOTE) {
        // A string: `(*`, `.` and `"` inside are not special.
        const after = skipString(text, i + 1);
        if (after < 0) return unterminated(i);
        i = after;
      } else if (c === DOT) {
        if (text.charCodeAt(i + 1) === DOT) {
          // `..` never ends a sentence, even before a blank (recursive notations `x .. y`); in `...` the
          // third dot does. `x.1`, `Nat.add`, `a.(f)` and `.(* *)` are no terminators either: not before a blank.
          i += 2;
        } else {
          i++;
          if (i >= n || isSpace(text.charCodeAt(i))) end(i, true);
        }
      } else if (isAlpha(c) && text.charCodeAt(i + 1) === COLON && text.startsWith('{{', i + 2)) {
        // A quotation such as `ltac2:{{ ... }}`, in which dots and braces are not special.
        const after = skipQuotation(text, i + 2);
        if (after < 0) return unterminated(i);
        i = after;
      } else {
        i++;
      }
    }
  }
  if (start >= 0) {
    // A last sentence with no terminator: leave out the blanks after it.
    let to = n;
    while (isSpace(text.charCodeAt(to - 1))) to--;
    end(to, false);
  }
  return sentences;
}
