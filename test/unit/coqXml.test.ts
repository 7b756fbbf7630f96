import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as X from '../../worker/src/coqXml';

// Transcripts captured verbatim from this machine's coqidetop.opt 8.16.1 (-main-channel stdfds).

/** Reply to Add "Goal forall n : nat, n = n -> True." on state 1. */
const GOOD_ADD = String.raw`<value val="good"><pair><state_id val="2"/><union val="in_l"><unit/></union></pair></value>`;

/** Status after Add "apply   foo." on state 3: an error feedback, then the failure with loc_s/loc_e. */
const FAILING_STATUS = String.raw`<feedback object="state" route="0"><state_id val="4"/><feedback_content val="processingin"><string>master</string></feedback_content></feedback><feedback object="state" route="0"><state_id val="3"/><feedback_content val="processed"/></feedback><feedback object="state" route="0"><state_id val="4"/><feedback_content val="message"><message><message_level val="error"/><option val="some"><loc start="8" stop="11"/></option><richpp><_><pp>The&nbsp;reference&nbsp;foo&nbsp;was&nbsp;not&nbsp;found&nbsp;in&nbsp;the&nbsp;current&nbsp;environment.</pp></_></richpp></message></feedback_content></feedback><value val="fail" loc_s="8" loc_e="11"><state_id val="3"/><richpp><_><pp>The&nbsp;reference&nbsp;foo&nbsp;was&nbsp;not&nbsp;found&nbsp;in&nbsp;the&nbsp;current&nbsp;environment.</pp></_></richpp></value>`;

/** Goal after "Goal forall n : nat, n = n -> True. intros n H." */
const GOAL_WITH_HYPS = String.raw`<feedback object="state" route="0"><state_id val="3"/><feedback_content val="processed"/></feedback><value val="good"><option val="some"><goals><list><goal><string>4</string><list><richpp><_><pp>n&nbsp;:&nbsp;<constr.variable>nat</constr.variable></pp></_></richpp><richpp><_><pp>H&nbsp;:&nbsp;<constr.variable>n</constr.variable><constr.notation>&nbsp;=</constr.notation>&nbsp;<constr.variable>n</constr.variable></pp></_></richpp></list><richpp><_><pp><constr.variable>True</constr.variable></pp></_></richpp><option val="none"/></goal></list><list/><list/><list/></goals></option></value>`;

/** Goal after "Lemma l : (True /\ True) /\ True. split. - split." (one goal in the background). */
const GOAL_WITH_BACKGROUND = String.raw`<value val="good"><option val="some"><goals><list><goal><string>3</string><list/><richpp><_><pp><constr.variable>True</constr.variable><constr.notation>&nbsp;/\</constr.notation>&nbsp;<constr.variable>True</constr.variable></pp></_></richpp><option val="none"/></goal></list><list><pair><list/><list><goal><string>4</string><list/><richpp><_><pp><constr.variable>True</constr.variable></pp></_></richpp><option val="none"/></goal></list></pair></list><list/><list/></goals></option></value>`;

/** Goal after "Goal True /\ True. split; [shelve|]." (one goal shelved). */
const GOAL_WITH_SHELVED = String.raw`<value val="good"><option val="some"><goals><list><goal><string>4</string><list/><richpp><_><pp><constr.variable>True</constr.variable></pp></_></richpp><option val="none"/></goal></list><list/><list><goal><string>3</string><list/><richpp><_><pp><constr.variable>True</constr.variable></pp></_></richpp><option val="none"/></goal></list><list/></goals></option></value>`;

const NO_PROOF = String.raw`<value val="good"><option val="none"/></value>`;

/** Status after "Fixpoint f (n:nat) : nat := 0.": a warning, then two infos. */
const WARNING = String.raw`<feedback object="state" route="0"><state_id val="5"/><feedback_content val="message"><message><message_level val="warning"/><option val="none"/><richpp><_><pp>Not&nbsp;a&nbsp;truly&nbsp;recursive&nbsp;fixpoint.&nbsp;[non-recursive,fixpoints]</pp></_></richpp></message></feedback_content></feedback><feedback object="state" route="0"><state_id val="5"/><feedback_content val="message"><message><message_level val="info"/><option val="none"/><richpp><_><pp>f&nbsp;is&nbsp;defined</pp></_></richpp></message></feedback_content></feedback>`;

/** A Query's output (route 7), two lines with the printer's indentation. */
const QUERY_OUTPUT = String.raw`<feedback object="state" route="7"><state_id val="2"/><feedback_content val="message"><message><message_level val="notice"/><option val="none"/><richpp><_><pp><constr.variable>a</constr.variable>
&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;:&nbsp;<constr.variable>nat</constr.variable></pp></_></richpp></message></feedback_content></feedback>`;

/**
 * Status after Add `Check "&#65; é ∀ &amp; <tag> ' "" \".` (sent escaped): every entity Coq uses,
 * raw UTF-8, `&#` written raw, and a byte-offset loc (6..39 counts é as 2 bytes and ∀ as 3).
 */
const ENTITIES = String.raw`<value val="fail" loc_s="6" loc_e="39"><state_id val="2"/><richpp><_><pp>No&nbsp;interpretation&nbsp;for&nbsp;string&nbsp;&quot;&#65;&nbsp;é&nbsp;∀&nbsp;&amp;amp;&nbsp;&lt;tag&gt;&nbsp;&apos;&nbsp;&quot;&quot;&nbsp;\&quot;.</pp></_></richpp></value>`;
const ENTITIES_TEXT = String.raw`No interpretation for string "&#65; é ∀ &amp; <tag> ' "" \".`;

/** Add whose sentence does not parse: state id 0 means "no state to go back to". */
const PARSE_ERROR = String.raw`<value val="fail" loc_s="37" loc_e="38"><state_id val="0"/><richpp><_><pp>Syntax&nbsp;Error:&nbsp;Lexer:&nbsp;Undefined&nbsp;token</pp></_></richpp></value>`;

const ABOUT = String.raw`<value val="good"><coq_info><string>8.16.1</string><string>20220205</string><string>n/a</string><string>n/a</string></coq_info></value>`;

function parseAll(...chunks: (string | Buffer)[]): X.XmlEvent[] {
  const p = new X.XmlStreamParser();
  return [...chunks.flatMap((c) => p.feed(c)), ...p.flush()];
}
function elementsOf(text: string): X.XmlElement[] {
  const events = parseAll(text);
  assert.ok(events.every((e) => e.kind === 'element'), JSON.stringify(events.filter((e) => e.kind !== 'element')));
  return events.map((e) => (e as { element: X.XmlElement }).element);
}
function onlyValue(text: string): X.CoqReply {
  const values = elementsOf(text).filter((e) => e.tag === 'value');
  assert.equal(values.length, 1);
  return X.decodeValue(values[0]);
}

test('encodes Add as one call around nested pairs', () => {
  assert.equal(
    X.encodeAdd({ sentence: 'intros n H.', stateId: 2 }),
    '<call val="Add"><pair><pair><pair><pair><string>intros n H.</string><int>0</int></pair><pair><state_id val="2"/><bool val="true"/></pair></pair><int>0</int></pair><pair><int>0</int><int>0</int></pair></pair></call>',
  );
  assert.equal(
    X.encodeAdd({ sentence: 'x.', stateId: 7, editId: -3, verbose: false, bp: 10, line: 2, bol: 4 }),
    '<call val="Add"><pair><pair><pair><pair><string>x.</string><int>-3</int></pair><pair><state_id val="7"/><bool val="false"/></pair></pair><int>10</int></pair><pair><int>2</int><int>4</int></pair></pair></call>',
  );
});

test('escapes <>&"\' and keeps non-ASCII as raw UTF-8 (coqidetop reads no &#NN;)', () => {
  const sentence = `Check "a<b & c>d 'q' ""é∀𝔸 &#65;".`;
  const xml = X.encodeAdd({ sentence, stateId: 1 });
  assert.ok(xml.includes('<string>Check &quot;a&lt;b &amp; c&gt;d &apos;q&apos; &quot;&quot;é∀𝔸 &amp;#65;&quot;.</string>'), xml);
  assert.ok(!/&#\d/.test(xml.replace(/&amp;#/g, '')), 'no character references');
  // Our own parser reads it back to the same text.
  const [call] = elementsOf(xml);
  assert.equal(X.textOf(call).startsWith(sentence), true);
});

test('encodes the other calls', () => {
  assert.equal(X.encodeInit(), '<call val="Init"><option val="none"/></call>');
  assert.equal(X.encodeAbout(), '<call val="About"><unit/></call>');
  assert.equal(X.encodeStatus(true), '<call val="Status"><bool val="true"/></call>');
  assert.equal(X.encodeEditAt(3), '<call val="Edit_at"><state_id val="3"/></call>');
  assert.equal(X.encodeGoal(), '<call val="Goal"><unit/></call>');
  assert.equal(X.encodeQuit(), '<call val="Quit"><unit/></call>');
  assert.equal(
    X.encodeQuery('Check (fun x => x <> 1).', 3, 7),
    '<call val="Query"><pair><route_id val="7"/><pair><string>Check (fun x =&gt; x &lt;&gt; 1).</string><state_id val="3"/></pair></pair></call>',
  );
});

test('decodes a good Add', () => {
  const r = onlyValue(GOOD_ADD);
  assert.ok(r.ok);
  assert.deepEqual(X.decodeAdd(r.value), { stateId: 2, newTip: undefined });
});

test('decodes a failing Status: safe state, loc, flattened rich pp, and the error feedback', () => {
  const els = elementsOf(FAILING_STATUS);
  assert.deepEqual(els.map((e) => e.tag), ['feedback', 'feedback', 'feedback', 'value']);
  assert.deepEqual(X.decodeValue(els[3]), {
    ok: false,
    stateId: 3,
    loc: { start: 8, end: 11 },
    message: 'The reference foo was not found in the current environment.',
  });
  assert.deepEqual(X.decodeFeedback(els[0]), { route: 0, kind: 'processingin', stateId: 4 });
  assert.deepEqual(X.decodeFeedback(els[2]), {
    route: 0,
    kind: 'message',
    stateId: 4,
    message: { level: 'error', message: 'The reference foo was not found in the current environment.', loc: { start: 8, end: 11 } },
  });
});

test('a parse failure names no state (0)', () => {
  const r = onlyValue(PARSE_ERROR);
  assert.deepEqual(r, { ok: false, stateId: 0, loc: { start: 37, end: 38 }, message: 'Syntax Error: Lexer: Undefined token' });
});

test('decodes goals: hypotheses, conclusion, background and shelved counts', () => {
  const withHyps = onlyValue(GOAL_WITH_HYPS);
  assert.ok(withHyps.ok);
  assert.deepEqual(X.decodeGoals(withHyps.value), {
    goals: [{ id: '4', name: undefined, hypotheses: ['n : nat', 'H : n = n'], conclusion: 'True' }],
    backgroundCount: 0,
    shelvedCount: 0,
    givenUpCount: 0,
  });
  const bg = onlyValue(GOAL_WITH_BACKGROUND);
  assert.ok(bg.ok);
  const g = X.decodeGoals(bg.value)!;
  assert.deepEqual([g.goals.map((x) => x.conclusion), g.backgroundCount, g.shelvedCount], [['True /\\ True'], 1, 0]);
  const shelved = onlyValue(GOAL_WITH_SHELVED);
  assert.ok(shelved.ok);
  assert.deepEqual([X.decodeGoals(shelved.value)!.goals.length, X.decodeGoals(shelved.value)!.shelvedCount], [1, 1]);
  const none = onlyValue(NO_PROOF);
  assert.ok(none.ok);
  assert.equal(X.decodeGoals(none.value), undefined);
});

test('decodes message feedback of each level, and keeps the printer\'s line breaks', () => {
  const [warning, info] = elementsOf(WARNING).map(X.decodeFeedback);
  assert.deepEqual(warning.message, { level: 'warning', message: 'Not a truly recursive fixpoint. [non-recursive,fixpoints]', loc: undefined });
  assert.equal(warning.stateId, 5);
  assert.equal(info.message?.level, 'info');
  const [q] = elementsOf(QUERY_OUTPUT).map(X.decodeFeedback);
  assert.equal(q.route, 7);
  assert.equal(q.message?.message, 'a\n     : nat');
});

test('decodes About', () => {
  const r = onlyValue(ABOUT);
  assert.ok(r.ok);
  assert.deepEqual(X.decodeAbout(r.value), { coqVersion: '8.16.1', protocolVersion: '20220205', releaseDate: 'n/a', compileDate: 'n/a' });
});

test('entities: named ones decoded (&nbsp; is a plain space), &#NN; kept as coqidetop does', () => {
  const r = onlyValue(ENTITIES);
  assert.deepEqual(r, { ok: false, stateId: 2, loc: { start: 6, end: 39 }, message: ENTITIES_TEXT });
  // Byte offsets: the loc covers the string literal as UTF-8 bytes.
  const sentence = String.raw`Check "&#65; é ∀ &amp; <tag> ' "" \".`;
  const bytes = Buffer.from(sentence, 'utf8');
  assert.equal(bytes.subarray(6, 39).toString('utf8'), String.raw`"&#65; é ∀ &amp; <tag> ' "" \"`);
});

test('character references are decoded on request, and in attributes', () => {
  const p = new X.XmlStreamParser({ decodeCharRefs: true });
  const [ev] = p.feed('<a x="&lt;&#65;&quot;&#x1D538;"><b>&#65;&#x41;&#x1D538;&AMP;&unknown;&amp</b></a>');
  assert.equal(ev.kind, 'element');
  const a = (ev as { element: X.XmlElement }).element;
  assert.equal(a.attrs.x, '<A"𝔸');
  assert.equal(X.textOf(a), 'AA𝔸&&unknown;&amp');
  assert.equal(X.decodeEntities('&#65;&#x41;'), '&#65;&#x41;');
  // Backslash escapes in attribute values, as Coq's printer writes them.
  const [ev2] = new X.XmlStreamParser().feed(String.raw`<t v="a\"b\\c>d" w='x'/>`);
  assert.deepEqual((ev2 as { element: X.XmlElement }).element.attrs, { v: 'a"b\\c>d', w: 'x' });
});

test('chunks may end anywhere: mid-tag, mid-entity, mid-attribute, mid-UTF-8 character', () => {
  const stream = Buffer.from(GOAL_WITH_HYPS + ENTITIES, 'utf8');
  const whole = parseAll(stream);
  assert.equal(whole.length, 3);
  // Every split point, including those inside é (2 bytes) and ∀ (3 bytes).
  for (let i = 1; i < stream.length; i++) {
    assert.deepEqual(parseAll(stream.subarray(0, i), stream.subarray(i)), whole, `split at byte ${i}`);
  }
  // Byte by byte.
  const p = new X.XmlStreamParser();
  const events: X.XmlEvent[] = [];
  for (let i = 0; i < stream.length; i++) events.push(...p.feed(stream.subarray(i, i + 1)));
  assert.deepEqual(events, whole);
  const e = whole[2] as { element: X.XmlElement };
  assert.equal(X.decodeValue(e.element).ok, false);
  assert.equal((X.decodeValue(e.element) as { message: string }).message, ENTITIES_TEXT);
});

test('garbage between elements is reported, not fatal; broken markup is an error and parsing goes on', () => {
  const p = new X.XmlStreamParser();
  const events = [
    ...p.feed('  \nplugin says hi\n<value val="good"><unit/></value>\n'),
    ...p.feed('<value val="good"><unit></value>'), // mismatched close
    ...p.feed('<1bad/>'),
    ...p.feed('<!-- c --><?xml version="1.0"?><value val="good"><state_id val="9"/></value>trailing'),
  ];
  events.push(...p.flush());
  assert.deepEqual(events.map((e) => e.kind), ['garbage', 'element', 'error', 'error', 'element', 'garbage']);
  assert.equal((events[0] as { text: string }).text.trim(), 'plugin says hi');
  assert.equal(X.toStateId(X.elements((events[4] as { element: X.XmlElement }).element)[0]), 9);
  assert.deepEqual(new X.XmlStreamParser().feed('<a><b>'), []);
  const unfinished = new X.XmlStreamParser();
  unfinished.feed('<value val="good"><unit/>');
  assert.equal(unfinished.flush()[0].kind, 'error');
});

test('decoders reject unexpected shapes with CoqDecodeError', () => {
  const [el] = elementsOf('<value val="good"><int>3</int></value>');
  const r = X.decodeValue(el);
  assert.ok(r.ok);
  assert.throws(() => X.decodeAdd(r.value), X.CoqDecodeError);
  assert.throws(() => X.decodeValue(elementsOf('<value val="maybe"/>')[0]), X.CoqDecodeError);
  assert.throws(() => X.decodeFeedback(elementsOf('<feedback route="0"><state_id val="x"/><feedback_content val="processed"/></feedback>')[0]), X.CoqDecodeError);
});

test('a long text in many chunks', () => {
  const text = 'x'.repeat(1_000_000) + 'é&lt;';
  const xml = Buffer.from(`<value val="fail"><state_id val="1"/><richpp><_><pp>${text}</pp></_></richpp></value>`);
  const p = new X.XmlStreamParser();
  const events: X.XmlEvent[] = [];
  for (let i = 0; i < xml.length; i += 4096) events.push(...p.feed(xml.subarray(i, i + 4096)));
  assert.equal(events.length, 1);
  const r = X.decodeValue((events[0] as { element: X.XmlElement }).element);
  assert.equal(!r.ok && r.message, 'x'.repeat(1_000_000) + 'é<');
});

test('skip: whole feedbacks that are not messages pass unparsed, in any chunking; messages and replies still come out', () => {
  const options = { skip: { tag: 'feedback', unless: '<feedback_content val="message"' } };
  const whole = new X.XmlStreamParser(options).feed(FAILING_STATUS);
  assert.deepEqual(whole.map((e) => (e.kind === 'element' ? `${e.element.tag}:${e.element.children.length}` : e.kind)), ['feedback:2', 'value:2']);
  assert.equal(X.decodeFeedback((whole[0] as { element: X.XmlElement }).element).message?.level, 'error');
  // Byte by byte: a feedback not yet whole is parsed as usual, and gives the same events.
  for (const size of [1, 7, 64]) {
    const parser = new X.XmlStreamParser(options);
    const events: X.XmlEvent[] = [];
    for (let i = 0; i < FAILING_STATUS.length; i += size) events.push(...parser.feed(FAILING_STATUS.slice(i, i + size)));
    const kept = events.filter((e) => e.kind === 'element').map((e) => (e as { element: X.XmlElement }).element);
    assert.deepEqual(
      kept.filter((e) => e.tag !== 'feedback' || X.decodeFeedback(e).message).map((e) => e.tag),
      ['feedback', 'value'],
      `chunks of ${size}`,
    );
    assert.ok(events.every((e) => e.kind === 'element'), `no error or garbage in chunks of ${size}`);
  }
});
