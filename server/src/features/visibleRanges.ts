/**
 * Cursor first: the client says where the user looks (the active editor's cursor and visible
 * ranges, proofpool/visibleRanges), and every pool the server creates orders its queue by that
 * (../coq/taskOrder.ts). A change re-sorts what is queued and lets idle workers look again.
 */
import type { Connection } from 'vscode-languageserver';
import { VisibleRangesNotification } from '../../../protocol/lsp';
import type { CoqPool } from '../coq/coqPool';
import { Focus, taskOrder } from '../coq/taskOrder';

export class VisibleRangesFeature {
  private focus: Focus | undefined;
  private readonly order = taskOrder(() => this.focus);

  constructor(
    connection: Connection,
    private readonly pool: () => CoqPool | undefined,
  ) {
    connection.onNotification(VisibleRangesNotification.type, ({ uri, ranges, cursor }) => {
      if (typeof uri !== 'string' || !Array.isArray(ranges) || typeof cursor?.line !== 'number') return;
      this.focus = { uri, ranges: ranges.filter((r) => typeof r?.start?.line === 'number' && typeof r?.end?.line === 'number'), cursor };
      const current = this.pool();
      if (!current) return;
      // The order reads the focus when it compares: setting it again re-sorts the queue.
      current.setOrder(this.order);
      current.broadcast();
    });
  }

  /** Gives a new pool (at start, after Restart Workers) the order. */
  attach(pool: CoqPool): CoqPool {
    pool.setOrder(this.order);
    return pool;
  }
}
