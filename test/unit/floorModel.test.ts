import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayAllFloor, splitFloor } from '../support/floorModel';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

test('one worker takes what coqc takes, under either bound', () => {
  const times = { whole: 4, skeleton: 1 };
  close(replayAllFloor(times, 1), 4);
  close(splitFloor(times, 1), 4);
});

test('without a skeleton the proofs divide evenly', () => {
  for (const workers of [2, 4, 16]) {
    close(replayAllFloor({ whole: 8, skeleton: 0 }, workers), 8 / workers);
    close(splitFloor({ whole: 8, skeleton: 0 }, workers), 8 / workers);
  }
});

test('two workers on stretches of the document: C²/(2C − S)', () => {
  // List.v on this machine: coqc 4.28 s, its skeleton 0.95 s.
  const times = { whole: 4.28, skeleton: 0.95 };
  close(splitFloor(times, 2), (4.28 * 4.28) / (2 * 4.28 - 0.95));
  close(replayAllFloor(times, 2), 0.95 + 3.33 / 2);
});

test('replaying only as far as one’s stretch never costs more, and the last worker still replays it all', () => {
  const times = { whole: 10, skeleton: 2 };
  for (const workers of [2, 3, 4, 8, 16]) {
    const split = splitFloor(times, workers);
    assert.ok(split <= replayAllFloor(times, workers) + 1e-9);
    assert.ok(split >= times.skeleton, 'the worker with the last stretch replays the whole skeleton');
  }
});
