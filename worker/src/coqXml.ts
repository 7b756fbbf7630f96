/**
 * Coq's XML protocol (coqidetop, Coq 8.16): a streaming parser for what coqidetop writes, encoders
 * for the calls we send, and decoders for replies and feedback. Pure: no I/O.
 *
 * The wire format is not quite XML; it is what Coq's own xml_printer/xml_lexer agree on
 * (coq/coq ide/coqide/protocol/xml_printer.ml, xml_lexer.mll), and this file follows them:
 * - text escapes space as `&nbsp;` (meaning a plain space) and `< > & ' "` as entities;
 * - `&#` is written raw and read back raw: Coq never emits character references, so a
 *   message that contains the text `&#65;` arrives as exactly that and must stay so;
 * - raw UTF-8 is passed through both ways, which is also why we must not encode
 *   non-ASCII text as `&#NN;` (coqidetop would keep it literally);
 * - in attribute values `\"` and `\\` are backslash escapes.
 */
import { StringDecoder } from 'node:string_decoder';

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export type XmlEvent =
  | { kind: 'element'; element: XmlElement }
  /** Non-blank text between top-level elements (e.g. something a plugin printed to stdout). */
  | { kind: 'garbage'; text: string }
  /** Broken markup; the parser dropped its partial tree and goes on at the top level. */
  | { kind: 'error'; message: string };

export interface XmlParserOptions {
  /** Decode `&#NN;`/`&#xNN;` like standard XML. Off by default: coqidetop keeps them literal (see above). */
  decodeCharRefs?: boolean;
  /**
   * Top-level `<tag …>…</tag>` elements, once whole, are passed over unparsed unless their text
   * holds `unless`: coqidetop sends about three feedbacks per sentence (processing, processed…)
   * that its driver ignores, and parsing them was most of the worker's parsing.
   */
  skip?: { tag: string; unless: string };
}

const NAMED_ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
/**
 * Coq's tags are short (a name and a few small attributes). A `<` followed by this much without its
 * `>` is garbage, not a tag still arriving: waiting on would rescan the growing rest on every chunk.
 */
const MAX_MARKUP_CHARS = 1 << 16;
const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;

/** Decodes entities in text or attribute values. Unknown or unterminated ones stay literal (Coq errors out; we are lenient). */
export function decodeEntities(text: string, decodeCharRefs = false): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      if (!decodeCharRefs) return whole;
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Incremental parser: feed it chunks as they come (a chunk may end anywhere, even inside a
 * multibyte character), get back every top-level element completed so far.
 */
export class XmlStreamParser {
  private readonly utf8 = new StringDecoder('utf8');
  private buf = '';
  private stack: XmlElement[] = [];
  private scanned = 0; // length of the start of buf known to hold no '<'
  private readonly decodeCharRefs: boolean;
  private readonly skip: { open: string; close: string; unless: string } | undefined;

  constructor(options: XmlParserOptions = {}) {
    this.decodeCharRefs = options.decodeCharRefs ?? false;
    if (options.skip) this.skip = { open: `<${options.skip.tag} `, close: `</${options.skip.tag}>`, unless: options.skip.unless };
  }

  /** Text received but not yet part of a complete token (for diagnostics). */
  get pending(): string {
    return this.buf;
  }

  /** Inside a top-level element, or inside a tag: coqidetop owes the rest of a message. */
  get midMessage(): boolean {
    return this.stack.length > 0 || this.buf.startsWith('<');
  }

  feed(chunk: Buffer | string): XmlEvent[] {
    this.buf += typeof chunk === 'string' ? chunk : this.utf8.write(chunk);
    const events: XmlEvent[] = [];
    let pos = 0;
    const buf = this.buf;
    // A long text arriving in many chunks is not rescanned from its start each time.
    const scanFrom = this.scanned;
    this.scanned = 0;
    while (pos < buf.length) {
      const lt = buf.indexOf('<', Math.max(pos, scanFrom));
      if (lt !== pos) {
        // Text runs up to the next '<'; wait for it so that entities are never cut in two.
        if (lt < 0) {
          this.scanned = buf.length - pos;
          break;
        }
        this.text(buf.slice(pos, lt), events);
        pos = lt;
        continue;
      }
      const skipped = this.skipped(buf, pos);
      if (skipped > 0) {
        pos += skipped;
        continue;
      }
      const consumed = this.markup(buf, pos, events);
      if (consumed === 0) break; // incomplete: wait for more input
      pos += consumed;
    }
    this.buf = buf.slice(pos);
    return events;
  }

  /** End of stream: whatever is left is reported as garbage. */
  flush(): XmlEvent[] {
    const rest = this.buf + this.utf8.end();
    this.buf = '';
    this.scanned = 0;
    const events: XmlEvent[] = [];
    if (this.stack.length > 0) events.push({ kind: 'error', message: `stream ended inside <${this.stack[0].tag}>` });
    this.stack = [];
    if (rest.trim() !== '') events.push({ kind: 'garbage', text: rest });
    return events;
  }

  private text(raw: string, events: XmlEvent[]): void {
    const top = this.stack.at(-1);
    if (!top) {
      if (raw.trim() !== '') events.push({ kind: 'garbage', text: raw });
      return;
    }
    // Coq's lexer reads any of \r, \n, \n\r as a newline.
    const text = decodeEntities(raw.replace(/\n\r|\r/g, '\n'), this.decodeCharRefs);
    const last = top.children.length - 1;
    if (last >= 0 && typeof top.children[last] === 'string') top.children[last] += text;
    else top.children.push(text);
  }

  /** The length of a whole top-level element to pass over at buf[pos] (see XmlParserOptions.skip), else 0. */
  private skipped(buf: string, pos: number): number {
    const skip = this.skip;
    if (!skip || this.stack.length > 0 || !buf.startsWith(skip.open, pos)) return 0;
    const close = buf.indexOf(skip.close, pos);
    if (close < 0) return 0; // not whole yet: parsed as usual
    const end = close + skip.close.length;
    return buf.slice(pos, end).includes(skip.unless) ? 0 : end - pos;
  }

  /** Parses one tag/comment/header at buf[pos] === '<'; returns the characters consumed, 0 when incomplete. */
  private markup(buf: string, pos: number, events: XmlEvent[]): number {
    // Too long to be markup still arriving: report it, and read on after its '<' as text.
    const incomplete = () => (buf.length - pos > MAX_MARKUP_CHARS ? this.fail(events, `no end to <${buf.slice(pos + 1, pos + 41)}… after ${MAX_MARKUP_CHARS} characters`, 1) : 0);
    if (buf.startsWith('<!--', pos) || buf.startsWith('<?', pos)) {
      const close = buf.startsWith('<!--', pos) ? '-->' : '?>';
      const end = buf.indexOf(close, pos);
      return end < 0 ? incomplete() : end + close.length - pos;
    }
    if (buf.length - pos < 2) return 0;
    const end = findTagEnd(buf, pos);
    if (end < 0) return incomplete();
    const body = buf.slice(pos + 1, end); // between '<' and '>'
    const consumed = end + 1 - pos;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const top = this.stack.pop();
      if (!top || top.tag !== name) return this.fail(events, `unexpected </${name}>${top ? ` inside <${top.tag}>` : ''}`, consumed);
      if (this.stack.length === 0) events.push({ kind: 'element', element: top });
      return consumed;
    }
    const selfClosing = body.endsWith('/');
    const parsed = parseTagBody(selfClosing ? body.slice(0, -1) : body, this.decodeCharRefs);
    if (typeof parsed === 'string') return this.fail(events, `${parsed} in <${body.slice(0, 80)}>`, consumed);
    const element: XmlElement = { tag: parsed.tag, attrs: parsed.attrs, children: [] };
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    if (!selfClosing) this.stack.push(element);
    else if (!parent) events.push({ kind: 'element', element });
    return consumed;
  }

  private fail(events: XmlEvent[], message: string, consumed: number): number {
    this.stack = [];
    events.push({ kind: 'error', message });
    return consumed;
  }
}

/** Index of the '>' ending the tag that starts at pos, skipping quoted attribute values; -1 if not there yet. */
function findTagEnd(buf: string, pos: number): number {
  let quote = '';
  for (let i = pos + 1; i < buf.length; i++) {
    const c = buf[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

function parseTagBody(body: string, decodeCharRefs: boolean): { tag: string; attrs: Record<string, string> } | string {
  let rest = body.trimStart();
  const name = NAME.exec(rest);
  if (!name) return 'tag name expected';
  rest = rest.slice(name[0].length);
  const attrs: Record<string, string> = {};
  const attr = /^\s+([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*("((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/;
  for (;;) {
    const m = attr.exec(rest);
    if (!m) break;
    const raw = m[3] ?? m[4];
    attrs[m[1]] = decodeEntities(raw.replace(/\\(["'\\])/g, '$1'), decodeCharRefs);
    rest = rest.slice(m[0].length);
  }
  return rest.trim() === '' ? { tag: name[0], attrs } : 'bad attribute';
}

// ---------------------------------------------------------------------------------------------
// Encoding calls

/** Escapes text for an element body. Non-ASCII stays raw UTF-8 (coqidetop reads no char references). */
export function escapeText(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}

const str = (s: string) => `<string>${escapeText(s)}</string>`;
const int = (n: number) => `<int>${Math.trunc(n)}</int>`;
const bool = (b: boolean) => `<bool val="${b}"/>`;
const sid = (n: number) => `<state_id val="${Math.trunc(n)}"/>`;
const pair = (a: string, b: string) => `<pair>${a}${b}</pair>`;
const call = (name: string, arg: string) => `<call val="${name}">${arg}</call>`;

export const encodeInit = () => call('Init', '<option val="none"/>');
export const encodeAbout = () => call('About', '<unit/>');
export const encodeQuit = () => call('Quit', '<unit/>');
export const encodeGoal = () => call('Goal', '<unit/>');
export const encodeStatus = (force: boolean) => call('Status', bool(force));
export const encodeEditAt = (stateId: number) => call('Edit_at', sid(stateId));

export interface AddArgs {
  sentence: string;
  stateId: number;
  editId?: number;
  verbose?: boolean;
  /** Offset added to the locations Coq reports (0: relative to the sentence). */
  bp?: number;
  line?: number;
  bol?: number;
}
/** One call around nested pairs ((((sentence, editId), (stateId, verbose)), bp), (line, bol)). */
export function encodeAdd(a: AddArgs): string {
  const inner = pair(pair(str(a.sentence), int(a.editId ?? 0)), pair(sid(a.stateId), bool(a.verbose ?? true)));
  return call('Add', pair(pair(inner, int(a.bp ?? 0)), pair(int(a.line ?? 0), int(a.bol ?? 0))));
}
/** (routeId, (text, stateId)); feedback printed by the query carries the route id. */
export const encodeQuery = (text: string, stateId: number, routeId = 0) =>
  call('Query', pair(`<route_id val="${Math.trunc(routeId)}"/>`, pair(str(text), sid(stateId))));

// ---------------------------------------------------------------------------------------------
// Decoding

export class CoqDecodeError extends Error {}

const describe = (n: XmlNode | undefined) =>
  n === undefined ? 'nothing' : typeof n === 'string' ? JSON.stringify(n.slice(0, 40)) : `<${n.tag}>`;

/** Children that are elements; blank text between them is ignored. */
export function elements(e: XmlElement): XmlElement[] {
  return e.children.filter((c): c is XmlElement => typeof c !== 'string');
}
export function expect(n: XmlNode | undefined, tag: string): XmlElement {
  if (n === undefined || typeof n === 'string' || n.tag !== tag) throw new CoqDecodeError(`expected <${tag}>, got ${describe(n)}`);
  return n;
}
export function textOf(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
function intAttr(e: XmlElement, name: string): number {
  const n = Number(e.attrs[name]);
  if (e.attrs[name] === undefined || !Number.isInteger(n)) throw new CoqDecodeError(`<${e.tag}> lacks integer ${name}`);
  return n;
}
export const toStateId = (n: XmlNode | undefined) => intAttr(expect(n, 'state_id'), 'val');
export const toStr = (n: XmlNode | undefined) => textOf(expect(n, 'string'));
export const toInt = (n: XmlNode | undefined) => Number.parseInt(textOf(expect(n, 'int')), 10);
export const toList = (n: XmlNode | undefined) => elements(expect(n, 'list'));
export function toOption(n: XmlNode | undefined): XmlElement | undefined {
  const e = expect(n, 'option');
  return e.attrs.val === 'some' ? elements(e)[0] : undefined;
}
export function toPair(n: XmlNode | undefined): [XmlElement, XmlElement] {
  const [a, b] = elements(expect(n, 'pair'));
  if (!a || !b) throw new CoqDecodeError('<pair> needs two children');
  return [a, b];
}
export function toUnion(n: XmlNode | undefined): { side: 'in_l' | 'in_r'; value: XmlElement | undefined } {
  const e = expect(n, 'union');
  if (e.attrs.val !== 'in_l' && e.attrs.val !== 'in_r') throw new CoqDecodeError(`bad union ${e.attrs.val}`);
  return { side: e.attrs.val, value: elements(e)[0] };
}

export interface Loc {
  start: number;
  end: number;
}
export function toLoc(n: XmlNode | undefined): Loc {
  const e = expect(n, 'loc');
  return { start: intAttr(e, 'start'), end: intAttr(e, 'stop') };
}

/**
 * Rich pretty-printing flattened to the text Coq would print: `<richpp>` holds the already laid
 * out text with markup tags (`_`, `pp`, `constr.variable`…) around it, so dropping the tags suffices.
 */
export function ppToText(n: XmlNode | undefined): string {
  if (n === undefined) return '';
  return typeof n === 'string' ? n : textOf(n);
}

export type CoqReply = { ok: true; value: XmlElement | undefined } | { ok: false; stateId: number; loc?: Loc; message: string };

/** A `<value>`: good (with its single payload) or fail (safe state id, optional loc, message). */
export function decodeValue(e: XmlElement): CoqReply {
  expect(e, 'value');
  const kids = elements(e);
  if (e.attrs.val === 'good') return { ok: true, value: kids[0] };
  if (e.attrs.val !== 'fail') throw new CoqDecodeError(`<value val="${e.attrs.val}">`);
  const stateId = toStateId(kids[0]);
  let loc: Loc | undefined;
  // 8.16 puts the location in loc_s/loc_e attributes; later protocols in an <option><loc/></option> child.
  if (e.attrs.loc_s !== undefined && e.attrs.loc_e !== undefined) loc = { start: intAttr(e, 'loc_s'), end: intAttr(e, 'loc_e') };
  const optLoc = kids.length === 3 ? toOption(kids[1]) : undefined;
  if (optLoc) loc = toLoc(optLoc);
  return { ok: false, stateId, loc, message: ppToText(kids.at(-1)) };
}

export interface CoqAbout {
  coqVersion: string;
  protocolVersion: string;
  releaseDate: string;
  compileDate: string;
}
export function decodeAbout(n: XmlNode | undefined): CoqAbout {
  const [coqVersion, protocolVersion, releaseDate, compileDate] = elements(expect(n, 'coq_info')).map(toStr);
  return { coqVersion, protocolVersion, releaseDate, compileDate };
}

/** Add's answer: (new state id, in_l () | in_r next-tip). */
export function decodeAdd(n: XmlNode | undefined): { stateId: number; newTip?: number } {
  const [id, union] = toPair(n);
  const u = toUnion(union);
  return { stateId: toStateId(id), newTip: u.side === 'in_r' ? toStateId(u.value) : undefined };
}

export interface CoqGoal {
  id: string;
  name?: string;
  hypotheses: string[];
  conclusion: string;
}
export interface CoqGoals {
  /** The focused goals, in order. */
  goals: CoqGoal[];
  /** Unfocused goals, all focus levels together. */
  backgroundCount: number;
  shelvedCount: number;
  givenUpCount: number;
}
function decodeGoal(n: XmlNode): CoqGoal {
  const [id, hyps, ccl, name] = elements(expect(n, 'goal'));
  const named = name && toOption(name); // absent before protocol 20190822
  return { id: toStr(id), hypotheses: toList(hyps).map(ppToText), conclusion: ppToText(ccl), name: named ? textOf(named) : undefined };
}
/** Goal's answer: undefined when no proof is open. */
export function decodeGoals(n: XmlNode | undefined): CoqGoals | undefined {
  const some = toOption(n);
  if (!some) return undefined;
  const [fg, bg, shelved, givenUp] = elements(expect(some, 'goals'));
  const backgroundCount = toList(bg).reduce((sum, level) => sum + toPair(level).reduce((s, side) => s + toList(side).length, 0), 0);
  return { goals: toList(fg).map(decodeGoal), backgroundCount, shelvedCount: toList(shelved).length, givenUpCount: toList(givenUp).length };
}

export type CoqMessageLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error';
const LEVELS: readonly string[] = ['debug', 'info', 'notice', 'warning', 'error'];

export interface CoqFeedback {
  /** The state it belongs to (absent when Coq names an edit id instead). */
  stateId?: number;
  editId?: number;
  route: number;
  /** feedback_content's val: message, processed, processingin, fileloaded, … */
  kind: string;
  message?: { level: CoqMessageLevel; message: string; loc?: Loc };
}
export function decodeFeedback(e: XmlElement): CoqFeedback {
  expect(e, 'feedback');
  const [id, content] = elements(e);
  const fb: CoqFeedback = { route: Number.parseInt(e.attrs.route ?? '0', 10) || 0, kind: expect(content, 'feedback_content').attrs.val ?? '' };
  if (id?.tag === 'edit_id') fb.editId = intAttr(id, 'val');
  else fb.stateId = toStateId(id);
  if (fb.kind === 'message') {
    const kids = elements(expect(elements(content)[0], 'message'));
    const level = expect(kids[0], 'message_level').attrs.val ?? '';
    if (!LEVELS.includes(level)) throw new CoqDecodeError(`unknown message level ${level}`);
    const loc = kids.length >= 3 ? toOption(kids[1]) : undefined;
    fb.message = { level: level as CoqMessageLevel, message: ppToText(kids.at(-1)), loc: loc && toLoc(loc) };
  }
  return fb;
}
