/**
 * When a delegated proof may be checked (SectionUsage.blocker): it waits for the earlier stand-ins
 * it can see named whose `Proof using` matters to it, and only for those.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { findProofs, ProofBlock } from '../../server/src/coq/segments';
import { Sentence, splitSentences } from '../../server/src/coq/sentences';
import { SectionUsage } from '../../server/src/coq/sectionUsage';

const DOCUMENT = `
Section S.
Variable n : nat.
Hypothesis H : n = 0.
Lemma a : n = n. Proof. reflexivity. Qed.
Lemma b : n = n. Proof. apply a. Qed.
Lemma c : n = n. Proof using n. apply a. Qed.
Lemma d : True. Proof. exact I. Qed.
End S.
Lemma e : forall m : nat, m = m. Proof. intro m. apply a. Qed.
Lemma f : True. Proof. exact I. Qed.
Hint Resolve a : core.
Lemma g : True. Proof. exact I. Qed.
`;

function usageOf() {
  const sentences = splitSentences(DOCUMENT);
  const proofs = findProofs(sentences);
  const index = (name: string) => proofs.findIndex((p) => p.name === name);
  return { usage: new SectionUsage(proofs, sentences), index };
}

test('inside its Section, a proof that learns its variables waits for the stand-ins it names; one with its own Proof using does not', () => {
  const { usage, index } = usageOf();
  assert.deepEqual(usage.learnt, ['a', 'b', 'd'].map(index));
  assert.equal(usage.blocker(index('a')), undefined);
  assert.equal(usage.blocker(index('b')), index('a'), 'b names a: Coq counts the variables a declares');
  assert.equal(usage.blocker(index('c')), undefined, 'c declares its variables itself; inside the Section a has its type whatever it declares');
  assert.equal(usage.blocker(index('d')), undefined, 'd names nothing');
  usage.settle(index('a'), 'Proof using n.');
  assert.equal(usage.blocker(index('b')), undefined);
});

test('after End, a proof waits for the stand-ins it sees named (their type depends on what they declare), not for the others', () => {
  const { usage, index } = usageOf();
  assert.equal(usage.blocker(index('e')), index('a'), 'e applies a: after End its type is known once a has its Proof using');
  assert.equal(usage.blocker(index('f')), undefined, 'f cannot name a: it runs while a is being checked');
  assert.equal(usage.blocker(index('g')), index('a'), 'g sees a Hint naming a');
  assert.equal(usage.allSettled(), false);
  usage.settle(index('a'), 'Proof using n.');
  assert.equal(usage.blocker(index('e')), undefined);
  assert.equal(usage.blocker(index('g')), undefined);
  assert.equal(usage.allSettled(), false, 'b and d have not answered yet: the whole skeleton is not final');
  usage.settle(index('b'), 'Proof using n.');
  usage.settle(index('d'), 'Proof using.');
  assert.equal(usage.allSettled(), true);
});

/** The earlier stand-ins a proof sees named, found sentence by sentence (what SectionUsage computes all at once). */
function seenOneByOne(sentences: Sentence[], proofs: ProofBlock[], learnt: number[], proof: number): number[] {
  const bodyOf = (s: number) => proofs.findIndex((p) => p.delegated && p.close !== undefined && s > p.statement && s <= p.close);
  const end = proofs[proof].close ?? Infinity;
  return learnt.filter((p) => {
    if (p >= proof || proofs[p].name === 'Goal') return false;
    const name = new RegExp(`(^|[^\\w'])${proofs[p].name.replace(/'/g, "\\'")}($|[^\\w'])`);
    for (let s = proofs[p].close! + 1; s < sentences.length && s <= end; s++) {
      const body = bodyOf(s);
      if ((body < 0 || body === proof) && name.test(sentences[s].text)) return true;
    }
    return false;
  });
}

for (const file of ['Sorting/Permutation.v', 'Lists/List.v']) {
  test(`${file}: every proof waits for the stand-ins it sees named, as a sentence-by-sentence search finds them`, () => {
    const sentences = splitSentences(readFileSync(`/usr/lib/ocaml/coq/theories/${file}`, 'utf8'));
    const proofs = findProofs(sentences);
    const usage = new SectionUsage(proofs, sentences);
    assert.ok(usage.learnt.length > 20, 'the file has proofs in Sections');
    let waiting = 0;
    proofs.forEach((_, q) => {
      const expected = seenOneByOne(sentences, proofs, usage.learnt, q).map((p) => `${p}:Proof using.`).join('\n');
      assert.equal(usage.visibleAnnotations(q), expected, `proof ${proofs[q].name}`);
      if (usage.blocker(q) !== undefined) waiting++;
    });
    assert.ok(waiting > 0, 'some proofs wait');
  });
}
