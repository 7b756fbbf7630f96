/**
 * Execution tokens (Coq's coqworkmgr): a cap on how many tasks compute at once, which may be lower
 * than the number of worker processes, and may be shared by several pools.
 */
export class ExecutionTokens {
  private inUse = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`execution tokens: capacity must be at least 1, not ${capacity}`);
  }

  get available(): number {
    return this.capacity - this.inUse;
  }

  tryAcquire(): boolean {
    if (this.inUse >= this.capacity) return false;
    this.inUse++;
    return true;
  }

  release(): void {
    if (this.inUse === 0) return;
    this.inUse--;
    for (const listener of [...this.listeners]) listener();
  }

  /** Called after each release (a pool waiting for a token looks again); returns an unsubscribe. */
  onRelease(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
