/**
 * The queue's order (cursor first): goals queries, which someone waits for, before anything; then
 * the proofs of the active document around the cursor, then those the editor shows, nearest to
 * the cursor first; then everything else, a document's proofs in document order (a worker walks
 * forward on its chain instead of going back for a proof that waited for an earlier one), other
 * ties in arrival order. The client says where the user looks (proofpool/visibleRanges); the pool
 * re-sorts what is queued whenever that changes.
 */
import type { Position, Range } from '../../../protocol/lsp';
import type { ProofTask, TaskPlace } from './proofPolicy';

export interface Focus {
  uri: string;
  ranges: Range[];
  cursor: Position;
}

/** Rank of everything out of sight: ties keep arrival order. */
const ELSEWHERE = 1e9;

/** Lower goes first. */
export function rankOf(place: TaskPlace | undefined, focus: Focus | undefined): number {
  if (place?.interactive) return 0;
  if (!place || !focus || place.uri !== focus.uri) return ELSEWHERE;
  const line = focus.cursor.line;
  const distance = line < place.startLine ? place.startLine - line : line > place.endLine ? line - place.endLine : 0;
  if (distance === 0) return 1;
  const shown = focus.ranges.some((r) => r.start.line <= place.endLine && r.end.line >= place.startLine);
  return shown ? 1 + distance : ELSEWHERE;
}

/** The pool's order for the focus `current()` returns when tasks are compared. */
export function taskOrder(current: () => Focus | undefined): (a: ProofTask, b: ProofTask) => number {
  return (a, b) => {
    const focus = current();
    const byRank = rankOf(a.place, focus) - rankOf(b.place, focus);
    if (byRank !== 0 || !a.place || !b.place || a.place.uri !== b.place.uri) return byRank;
    return a.place.startLine - b.place.startLine;
  };
}
