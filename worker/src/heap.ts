/**
 * Keeping coqidetop's memory where the first check left it. After a rewind (Edit_at) the states
 * beyond it are garbage, but OCaml's major GC is incremental: re-adding sentences right away
 * grows the heap instead of reusing that memory, and OCaml never gives heap back. Measured on
 * List.v (2842 sentences, bare coqidetop, rewinds to random points and re-adds the rest): 397 MiB
 * after the first pass, 595 MiB after 10 such rewinds, and it stays there; with a compaction
 * right after each rewind, 402 MiB throughout. A compaction costs 0.3–1 s on that heap, about
 * what re-adding a few hundred sentences costs, so only long rewinds pay for one.
 */
import type { CoqIdeTop } from './coqidetop';

/** A rewind that drops at least this many states is followed by a compaction. */
export const COMPACT_AFTER_DROPPING = 500;

/** `Optimize Heap.` (Gc.compact) as a query at `stateId`: it leaves no state behind. */
export async function compactAfterRewind(coq: CoqIdeTop, dropped: number, stateId: number): Promise<void> {
  if (dropped < COMPACT_AFTER_DROPPING) return;
  // Its failure would cost only memory: nothing to report.
  await coq.query('Optimize Heap.', stateId);
}
