import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Focus, rankOf } from '../../server/src/coq/taskOrder';

const range = (from: number, to: number) => ({ start: { line: from, character: 0 }, end: { line: to, character: 0 } });
const focus: Focus = { uri: 'file:///a.v', ranges: [range(100, 140)], cursor: { line: 120, character: 3 } };
const place = (startLine: number, endLine: number, uri = 'file:///a.v') => ({ uri, startLine, endLine });

test('goals queries first, then the proof under the cursor, then proofs in view by distance, then the rest', () => {
  const ranks = {
    query: rankOf({ ...place(0, 1, 'file:///b.v'), interactive: true }, focus),
    underCursor: rankOf(place(118, 125), focus),
    justAbove: rankOf(place(110, 115), focus),
    farBelow: rankOf(place(135, 150), focus),
    outOfView: rankOf(place(10, 20), focus),
    otherDocument: rankOf(place(118, 125, 'file:///b.v'), focus),
    noPlace: rankOf(undefined, focus),
  };
  assert.ok(ranks.query < ranks.underCursor);
  assert.ok(ranks.underCursor < ranks.justAbove);
  assert.ok(ranks.justAbove < ranks.farBelow);
  assert.ok(ranks.farBelow < ranks.outOfView);
  assert.equal(ranks.outOfView, ranks.otherDocument, 'out of sight: arrival order decides');
  assert.equal(ranks.outOfView, ranks.noPlace);
});

test('without a focus every check keeps arrival order', () => {
  assert.equal(rankOf(place(1, 2), undefined), rankOf(place(50, 60), undefined));
});
