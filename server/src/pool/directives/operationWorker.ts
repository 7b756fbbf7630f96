/**
 * The worker side of directives (paladin's WorkerRuntime): a worker handler that runs whatever
 * operation a task names. An operation throws OperationError to say whether a failure is
 * transient (retried) or fatal; anything else it throws is fatal.
 */
import { OperationError } from '../errors';
import type { TaskContext, WorkerContext, WorkerHandler } from '../workerRuntime';
import type { OperationRequest } from './operation';

export interface OperationContext {
  attempt: number;
  /** Aborted when the directive no longer wants this result. */
  interrupted: AbortSignal;
}

export type OperationImplementation = (input: any, context: OperationContext) => unknown;

export function operationHandler(
  implementations: Record<string, OperationImplementation>,
  start: (options: unknown, worker: WorkerContext) => Promise<unknown> = async () => ({ operations: Object.keys(implementations) }),
): WorkerHandler<OperationRequest, unknown, unknown> {
  return {
    start,
    async run(request: OperationRequest, context: TaskContext<unknown>) {
      const implementation = Object.hasOwn(implementations, request.operation) ? implementations[request.operation] : undefined;
      if (!implementation) throw new OperationError('fatal', `this worker has no operation ${request.operation}`);
      return implementation(request.input, { attempt: request.attempt, interrupted: context.interrupted });
    },
    dispose() {},
  };
}
