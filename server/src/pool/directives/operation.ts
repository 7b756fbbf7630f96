/**
 * Paladin's operations: the signature of a computation a worker can run, named once and shared by
 * the side that issues tasks and the side that runs them. A task is an operation applied to an
 * input; a directive (map, fold) issues tasks and gathers their results.
 */

export interface Operation<Input, Output> {
  readonly name: string;
  /** Carries the types only; never set. */
  readonly types?: (input: Input) => Output;
}

export function operation<Input, Output>(name: string): Operation<Input, Output> {
  return { name };
}

/** An associative operation on adjacent results (left, right) and its identity: what `fold` needs. */
export interface Monoid<T> extends Operation<[T, T], T> {
  readonly empty: T;
}

export function monoid<T>(name: string, empty: T): Monoid<T> {
  return { name, empty };
}

/** What the pool sends a worker for one task of a directive. */
export interface OperationRequest {
  operation: string;
  input: unknown;
  /** 0 for the first try, 1 for the first retry, ... */
  attempt: number;
}
