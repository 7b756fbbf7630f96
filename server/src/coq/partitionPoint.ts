/**
 * How many leading items satisfy `before`, for an array where it holds of a prefix and of nothing
 * after (sentences by their end, proofs by their closing sentence): found by bisection.
 */
export function partitionPoint<T>(items: readonly T[], before: (item: T) => boolean): number {
  let [low, high] = [0, items.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(items[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}
