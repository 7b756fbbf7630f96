/**
 * The in-process directive backend: the task channel and the result channels live in this
 * process, and tasks run on a pool of workers (processes, or in-process ones). Which failures are
 * transient follows what AMQP would do: a task whose worker was lost is delivered again.
 */
import { RemoteError, TaskFailedError } from '../../errors';
import { Pool } from '../../pool';
import type { Policy } from '../../policy';
import type { PoolOptions, TaskHandle, TaskOutcome } from '../../types';
import type { DirectiveBackend, OperationFailureKind, ResultChannel, ResultEnvelope, TaskEnvelope } from '../backend';
import type { OperationRequest } from '../operation';

/** Any worker runs any operation: one task channel, no competence. */
export const operationPolicy: Policy<TaskEnvelope, OperationRequest, unknown, null> = {
  requestOfTask: (_status, task) => ({ operation: task.operation, input: task.input, attempt: task.attempt }),
  taskMatch: () => true,
  useResponse: () => ({ stay: null }),
  nameOfTask: (task) => `${task.operation} [${task.key}] of ${task.directive}`,
};

export type OperationPool = Pool<TaskEnvelope, OperationRequest, unknown, null>;

export class InProcessBackend implements DirectiveBackend {
  private readonly channels = new Map<string, InProcessResultChannel>();
  /** Tasks out, per directive and key, so that a directive can cancel them. */
  private readonly outstanding = new Map<string, Map<string, TaskHandle<unknown>>>();
  private nextChannel = 1;
  /** Results that reached no channel (their directive had ended). */
  droppedResults = 0;
  published = 0;

  constructor(readonly pool: OperationPool) {}

  /** A backend with its own pool, running `operationPolicy`. */
  static withPool(options: Omit<PoolOptions<TaskEnvelope, OperationRequest, unknown, null>, 'policy'>): InProcessBackend {
    return new InProcessBackend(new Pool({ ...options, policy: operationPolicy }));
  }

  openResultChannel(): ResultChannel {
    const channel = new InProcessResultChannel(`directive-${this.nextChannel++}`, (id) => this.channels.delete(id));
    this.channels.set(channel.id, channel);
    return channel;
  }

  publish(task: TaskEnvelope): void {
    this.published++;
    const handle = this.pool.submit(task);
    let keys = this.outstanding.get(task.directive);
    if (!keys) this.outstanding.set(task.directive, (keys = new Map()));
    keys.set(task.key, handle);
    void handle.done.then((outcome) => {
      if (keys.get(task.key) === handle) keys.delete(task.key);
      if (keys.size === 0 && this.outstanding.get(task.directive) === keys) this.outstanding.delete(task.directive);
      const result = resultOf(task, outcome);
      if (result) this.deliver(result);
    });
  }

  cancel(directive: string, keys?: string[]): void {
    const out = this.outstanding.get(directive);
    if (!out) return;
    for (const [key, handle] of [...out]) if (!keys || keys.includes(key)) handle.cancel();
  }

  /** Hands a result to the channel it names; one that is closed gets nothing. */
  deliver(result: ResultEnvelope): void {
    const channel = this.channels.get(result.directive);
    if (channel) channel.emit(result);
    else this.droppedResults++;
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

class InProcessResultChannel implements ResultChannel {
  private listener: (result: ResultEnvelope) => void = () => {};

  constructor(
    readonly id: string,
    private readonly closed: (id: string) => void,
  ) {}

  onResult(listener: (result: ResultEnvelope) => void): void {
    this.listener = listener;
  }

  emit(result: ResultEnvelope): void {
    this.listener(result);
  }

  close(): void {
    this.closed(this.id);
  }
}

/** A task's outcome as a result envelope; none for a task its directive cancelled. */
function resultOf(task: TaskEnvelope, outcome: TaskOutcome<unknown>): ResultEnvelope | undefined {
  const address = { directive: task.directive, key: task.key, attempt: task.attempt };
  if (outcome.ok) return { ...address, ok: true, output: outcome.response };
  const kind = failureKind(outcome.error);
  if (!kind) return undefined;
  return { ...address, ok: false, kind, message: outcome.error.message };
}

function failureKind(error: TaskFailedError): OperationFailureKind | undefined {
  switch (error.reason) {
    case 'cancelled':
    case 'expired':
      return undefined;
    case 'worker-died':
    case 'killed':
    case 'timeout':
    case 'memory':
      return 'transient';
    case 'marshal':
      return 'fatal';
    case 'exception': {
      const data = error.cause instanceof RemoteError ? (error.cause.data as { operationError?: OperationFailureKind } | undefined) : undefined;
      return data?.operationError ?? 'fatal';
    }
  }
}
