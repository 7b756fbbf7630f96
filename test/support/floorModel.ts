/**
 * The least wall time N workers can take on a document, from two of coqc's times: C for the whole
 * file and S for its skeleton (every delegated proof a stand-in). Each worker builds its own Coq
 * state by replaying the skeleton up to the proofs it checks, so what the workers do together is
 * more than coqc does alone. Both bounds count no overhead at all (no start-up, no messages) and
 * spread the skeleton and the proofs evenly over the document.
 */
export interface Times {
  /** coqc on the whole file, seconds. */
  whole: number;
  /** coqc on its skeleton, seconds. */
  skeleton: number;
}

/** Every worker replays the whole skeleton and takes 1/N of the proofs (how the pool shares a cold check now). */
export function replayAllFloor({ whole, skeleton }: Times, workers: number): number {
  return skeleton + (whole - skeleton) / workers;
}

/**
 * Each worker takes one stretch of the document, in order, and replays the skeleton only as far as
 * the end of its stretch: worker i ends at x_i (x_N = 1) after S·x_i + P·(x_i − x_{i−1}), P = C − S.
 * The least W that every worker can keep to is found by bisection: a W is enough when stretches of
 * work W each reach the end of the document.
 */
export function splitFloor({ whole, skeleton }: Times, workers: number): number {
  const proofs = whole - skeleton;
  const reachesEnd = (w: number) => {
    let end = 0;
    for (let i = 0; i < workers; i++) end = (w + proofs * end) / whole;
    return end >= 1;
  };
  let [low, high] = [0, whole];
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (reachesEnd(middle)) high = middle;
    else low = middle;
  }
  return high;
}
