/**
 * Paladin's `map`: one task per input; results come back in completion order, each with its input
 * index, and can be put back in input order.
 */
import { DirectiveCancelledError } from '../errors';
import type { DirectiveBackend } from './backend';
import { DirectiveOptions, DirectiveTasks } from './directiveTasks';
import type { Operation } from './operation';

export interface Indexed<T> {
  index: number;
  output: T;
}

export class MapDirective<Input, Output> implements AsyncIterable<Indexed<Output>> {
  private readonly tasks: DirectiveTasks;
  private readonly arrived: Indexed<Output>[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private received = 0;

  constructor(
    backend: DirectiveBackend,
    operation: Operation<Input, Output>,
    inputs: readonly Input[],
    options: DirectiveOptions = {},
  ) {
    this.size = inputs.length;
    this.tasks = new DirectiveTasks(
      backend,
      options,
      (key, output) => {
        this.received++;
        this.arrived.push({ index: Number(key), output: output as Output });
        if (this.received === this.size) this.tasks.end();
        this.wake();
      },
      (error) => {
        this.failure = error;
        this.wake();
      },
    );
    inputs.forEach((input, index) => this.tasks.issue(String(index), operation.name, input));
    if (this.size === 0) this.tasks.end();
  }

  /** How many inputs, so how many results. */
  readonly size: number;

  /** Results that were ignored: duplicates, or late. */
  get ignoredResults(): number {
    return this.tasks.ignoredResults;
  }

  /** Results in completion order; throws DirectiveFailedError if the directive failed. */
  async *[Symbol.asyncIterator](): AsyncIterator<Indexed<Output>> {
    let yielded = 0;
    while (yielded < this.size) {
      if (yielded < this.arrived.length) {
        yield this.arrived[yielded++];
        continue;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Every output, in input order. */
  async inOrder(): Promise<Output[]> {
    const outputs = new Array<Output>(this.size);
    for await (const { index, output } of this) outputs[index] = output;
    return outputs;
  }

  /** Stops the directive: tasks still out are cancelled, iteration throws DirectiveCancelledError. */
  cancel(): void {
    if (this.tasks.ended && !this.failure && this.received === this.size) return;
    this.tasks.end();
    this.failure ??= new DirectiveCancelledError();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** Starts a map directive: `operation` on every input, as parallel tasks. */
export function map<Input, Output>(
  backend: DirectiveBackend,
  operation: Operation<Input, Output>,
  inputs: readonly Input[],
  options?: DirectiveOptions,
): MapDirective<Input, Output> {
  return new MapDirective(backend, operation, inputs, options);
}
