/**
 * Keeping coqidetop's memory where the first check left it. After a rewind (Edit_at) the states
 * beyond it are garbage, but OCaml's major GC is incremental: re-adding sentences soon after grows
 * the heap instead of reusing that memory, and OCaml never gives heap back. Measured on List.v
 * (2842 sentences, bare coqidetop, rewinds to random points and re-adds the rest): 397 MiB after
 * the first pass, 595 MiB after 10 such rewinds, and it stays there; with a compaction right
 * after each rewind, 402 MiB throughout.
 *
 * A compaction costs 0.3–1 s on that heap (more on mathcomp's), so it is asked for only when it
 * pays: when a long rewind (not the few states a worker drops moving between proofs, which the GC
 * reclaims as it goes) has left garbage and a thousand states have been added on top of it since
 * (a statement edited far up: everything after it is checked again). Soak on List.v (200 edits,
 * a statement change every sixth): without compactions the two coqidetops grew 836 → 1063 MiB;
 * with them they stay at 805 MiB, for 60 compactions of 0.4 s (after 300 added states: 84). An
 * edit inside one proof rewinds far but adds a handful of states: no compaction, no delay. It runs
 * once a task is answered; the next task's calls queue behind it. Each one is logged with its
 * duration.
 */
import type { CoqIdeTop } from './coqidetop';

/** A rewind that drops this many states leaves garbage worth a compaction... */
export const LONG_REWIND = 100;
/** ...once this many states have been added on top of it (300 compacted as well, 40 % more often). */
export const ADDED_ON_GARBAGE = 1000;

export class HeapCompaction {
  private garbage = false;
  private added = 0;

  noteRewind(dropped: number): void {
    if (dropped >= LONG_REWIND) this.garbage = true;
  }

  noteAdded(): void {
    if (this.garbage) this.added++;
  }

  /** `Optimize Heap.` (Gc.compact) as a query at `stateId` (it leaves no state behind), when it pays. */
  runIfDue(coq: CoqIdeTop | undefined, stateId: number): void {
    if (this.added < ADDED_ON_GARBAGE || !coq?.alive) return;
    this.garbage = false;
    this.added = 0;
    const started = Date.now();
    coq.query('Optimize Heap.', stateId).then(
      () => console.error(`compacted coqidetop's heap after a long rewind (${Date.now() - started} ms)`),
      // coqidetop gone meanwhile: the next call reports the death; this costs only memory.
      () => {},
    );
  }
}
