/**
 * Chains of sentences as a worker executes them. Each link's hash covers the root and every
 * sentence before it, so two chains agree up to k exactly when their k-th hashes agree: the
 * common prefix with a worker's competence is found by binary search.
 */
import { createHash } from 'node:crypto';
import type { ChainSentence, CoqRoot } from '../../../protocol/coqTasks';

export interface ChainLink extends ChainSentence {
  /** The document sentence this link stands for (a synthesized `Admitted.` stands for the proof's closing sentence). */
  sentence: number;
}

export function chainHash(previous: string, text: string): string {
  return createHash('sha1').update(previous).update('\0').update(text).digest('base64');
}

export function rootHash(root: CoqRoot): string {
  return chainHash('', root.key);
}

/** Appends links for these texts after `previous` (a root hash or the last link's hash). */
export function link(previous: string, items: { text: string; sentence: number }[]): ChainLink[] {
  const links: ChainLink[] = [];
  for (const item of items) {
    previous = chainHash(previous, item.text);
    links.push({ text: item.text, sentence: item.sentence, hash: previous });
  }
  return links;
}

/** A task's chain: the first `prefixLength` links of a shared skeleton, then links of its own. */
export class TaskChain {
  constructor(
    readonly root: CoqRoot,
    private readonly skeleton: readonly ChainLink[],
    readonly prefixLength: number,
    private readonly tail: readonly ChainLink[] = [],
  ) {}

  get length(): number {
    return this.prefixLength + this.tail.length;
  }

  at(index: number): ChainLink {
    return index < this.prefixLength ? this.skeleton[index] : this.tail[index - this.prefixLength];
  }

  slice(from: number): ChainSentence[] {
    const out: ChainSentence[] = [];
    for (let i = from; i < this.length; i++) {
      const { text, hash } = this.at(i);
      out.push({ text, hash });
    }
    return out;
  }

  /**
   * The chain that shares this one's first `at` links and goes on with links for `items` (none:
   * the chain of the state after link `at - 1`, e.g. the goals before a failing sentence).
   */
  branch(at: number, items: { text: string; sentence: number }[] = []): TaskChain {
    const previous = at > 0 ? this.at(at - 1).hash : rootHash(this.root);
    const own = link(previous, items);
    if (at <= this.prefixLength) return new TaskChain(this.root, this.skeleton, at, own);
    return new TaskChain(this.root, this.skeleton, this.prefixLength, [...this.tail.slice(0, at - this.prefixLength), ...own]);
  }

  /** The same first `prefixLength` links, then this tail after them. */
  withTail(tail: readonly ChainLink[]): TaskChain {
    return new TaskChain(this.root, this.skeleton, this.prefixLength, tail);
  }

  /** How many leading links this chain shares with the first `length` links of `other`. */
  commonPrefix(other: TaskChain, length: number): number {
    if (other.root.key !== this.root.key) return 0;
    let low = 0;
    let high = Math.min(length, this.length);
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.at(mid - 1).hash === other.at(mid - 1).hash) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
