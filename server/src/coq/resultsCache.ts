/**
 * Verdicts of finished tasks, keyed by the hash of the task's whole chain: the root, the skeleton
 * up to the statement and the proof itself. An edit inside a proof changes that proof's key only;
 * an edit to a skeleton sentence changes the keys of every proof after it. Coq is deterministic,
 * so a task with a known key need not run again.
 */
import type { CheckResponse, CoqMessage } from '../../../protocol/coqTasks';

export interface CachedResult {
  response: CheckResponse;
  /** What Coq printed while the task ran, in order. */
  messages: CoqMessage[];
}

/** Least recently used entries go first once the cache is full. */
export class ResultsCache {
  private readonly entries = new Map<string, CachedResult>();
  /** The last `Proof using` each Section proof was found to need, by its statement's place (./proofChains.ts). */
  private readonly annotations = new Map<string, string>();

  constructor(private readonly capacity = 50_000) {}

  get(key: string): CachedResult | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, result: CachedResult): void {
    this.entries.delete(key);
    this.entries.set(key, result);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  annotation(statementKey: string): string | undefined {
    return this.annotations.get(statementKey);
  }

  rememberAnnotation(statementKey: string, annotation: string): void {
    this.annotations.delete(statementKey);
    this.annotations.set(statementKey, annotation);
    if (this.annotations.size > this.capacity) this.annotations.delete(this.annotations.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
