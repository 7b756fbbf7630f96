/**
 * The tasks of one directive on its own result channel: each key is settled by its first result
 * and never again (duplicates and late results are ignored and counted, never used twice);
 * transient failures are retried up to a limit, after which they are fatal; a fatal failure
 * ends the directive and cancels the tasks still out.
 */
import { DirectiveFailedError } from '../errors';
import type { DirectiveBackend, ResultChannel, ResultEnvelope } from './backend';

export interface DirectiveOptions {
  /** How many times a task failing transiently is tried again before the failure is fatal (default 3). */
  maxRetries?: number;
}

interface Outstanding {
  operation: string;
  input: unknown;
  attempt: number;
}

export class DirectiveTasks {
  private readonly channel: ResultChannel;
  private readonly outstanding = new Map<string, Outstanding>();
  private over = false;
  /** Results that arrived for a key already settled, or after the end: ignored. */
  ignoredResults = 0;

  constructor(
    private readonly backend: DirectiveBackend,
    private readonly options: DirectiveOptions,
    private readonly onOutput: (key: string, output: unknown) => void,
    private readonly onFailure: (error: DirectiveFailedError) => void,
  ) {
    this.channel = backend.openResultChannel();
    this.channel.onResult((result) => this.onResult(result));
  }

  get pending(): number {
    return this.outstanding.size;
  }

  get ended(): boolean {
    return this.over;
  }

  issue(key: string, operation: string, input: unknown): void {
    if (this.over) return;
    this.outstanding.set(key, { operation, input, attempt: 0 });
    this.backend.publish({ directive: this.channel.id, key, attempt: 0, operation, input });
  }

  /** Gives the result channel back: nothing more will be heard. */
  end(): void {
    if (this.over) return;
    this.over = true;
    if (this.outstanding.size > 0) this.backend.cancel(this.channel.id, [...this.outstanding.keys()]);
    this.outstanding.clear();
    this.channel.close();
  }

  fail(error: DirectiveFailedError): void {
    if (this.over) return;
    this.end();
    this.onFailure(error);
  }

  private onResult(result: ResultEnvelope): void {
    const task = this.outstanding.get(result.key);
    // Late (the directive ended), a duplicate (the key is settled), or an answer to an attempt already retried.
    if (this.over || !task || (!result.ok && result.attempt !== task.attempt)) {
      this.ignoredResults++;
      return;
    }
    if (result.ok) {
      this.outstanding.delete(result.key);
      this.onOutput(result.key, result.output);
      return;
    }
    const maxRetries = this.options.maxRetries ?? 3;
    if (result.kind === 'transient' && task.attempt < maxRetries) {
      task.attempt++;
      this.backend.publish({ directive: this.channel.id, key: result.key, attempt: task.attempt, operation: task.operation, input: task.input });
      return;
    }
    const why = result.kind === 'transient' ? `still failing after ${task.attempt + 1} attempts` : 'a fatal error';
    this.fail(new DirectiveFailedError(`${task.operation} [${result.key}]: ${why}: ${result.message}`, result.key, task.attempt + 1));
  }
}
