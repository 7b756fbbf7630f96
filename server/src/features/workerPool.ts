/**
 * Owns the Coq pool for the server's lifetime: creates it, replaces it on Restart Workers, and ends
 * it on shutdown. The only place that destroys a pool, so no worker outlives the server.
 */
import type { CoqPool } from '../coq/coqPool';

export class WorkerPoolOwner {
  private pool: CoqPool | undefined;
  private replacing: Promise<CoqPool | undefined> | undefined;
  private disposed = false;

  constructor(private readonly create: () => CoqPool) {}

  start(): void {
    this.pool ??= this.create();
  }

  /** The pool; undefined before `start`, while it is being replaced and after `dispose`. */
  current(): CoqPool | undefined {
    return this.replacing ? undefined : this.pool;
  }

  /**
   * Ends every worker of the current pool (waiting until they are gone), then starts a fresh pool.
   * Calls made while a restart is under way share it. Undefined when the server shut down meanwhile.
   */
  restart(): Promise<CoqPool | undefined> {
    this.replacing ??= (async () => {
      try {
        const old = this.pool;
        this.pool = undefined;
        await old?.destroy();
        if (!this.disposed) this.pool = this.create();
        return this.pool;
      } finally {
        this.replacing = undefined;
      }
    })();
    return this.replacing;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.replacing;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}
