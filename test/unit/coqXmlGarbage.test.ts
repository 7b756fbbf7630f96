/**
 * What the XML stream parser does with a coqidetop that writes garbage: it says whether a message
 * is left half-written (coqidetop.ts stops waiting for one that never ends), and a '<' with no '>'
 * in sight is reported once it is longer than any tag, instead of being rescanned on every chunk.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XmlStreamParser } from '../../worker/src/coqXml';

test('midMessage: true inside an element or a tag, false between messages and in top-level text', () => {
  const parser = new XmlStreamParser();
  assert.equal(parser.midMessage, false);
  parser.feed('<value val="good"><pair>');
  assert.equal(parser.midMessage, true, 'inside elements');
  parser.feed('<unit/><unit/></pair></value>\n');
  assert.equal(parser.midMessage, false, 'the message is complete');
  parser.feed('<value val=');
  assert.equal(parser.midMessage, true, 'inside a tag');
  parser.feed('"good"/>plugin chatter');
  assert.equal(parser.midMessage, false, 'text between messages is no message');
});

test('a < with no > for more than 64 KiB is an error, and parsing goes on after it', () => {
  const parser = new XmlStreamParser();
  const events = [...parser.feed('<"')];
  // A megabyte in 1 KiB chunks: each chunk used to rescan the whole unfinished tag.
  for (let i = 0; i < 1024; i++) events.push(...parser.feed('x'.repeat(1024)));
  events.push(...parser.feed('"<value val="good"><unit/></value>'));
  const errors = events.filter((e) => e.kind === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0].kind === 'error' ? errors[0].message : '', /no end to <"x+… after 65536 characters/);
  const elements = events.filter((e) => e.kind === 'element');
  assert.deepEqual(elements.map((e) => e.kind === 'element' && e.element.tag), ['value']);
  assert.equal(parser.midMessage, false);
});
