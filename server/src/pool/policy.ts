/**
 * What a pool user tells the pool about its tasks: Coq's AsyncTaskQueue `TaskT`, in TypeScript.
 * The pool knows nothing else about tasks, requests or responses.
 */

/** A worker is `fresh` when born; after a task it may stay as `old`, carrying its competence. */
export type WorkerStatus<Competence> = { kind: 'fresh' } | { kind: 'old'; competence: Competence };

/** After a response: keep the worker with a new competence (and queue follow-up tasks for it), or reboot it. */
export type ResponseUse<Task, Competence> = { stay: Competence; inject?: Task[] } | 'end';

export interface Policy<Task, Request, Response, Competence> {
  /** The request to send to a worker in this status, or undefined when the task has expired (it is dropped). */
  requestOfTask(status: WorkerStatus<Competence>, task: Task): Request | undefined;
  /** Whether a worker in this status may take the task at all. */
  taskMatch(status: WorkerStatus<Competence>, task: Task): boolean;
  /** Among idle workers that match, the one with the lowest cost gets the task (default: all 0). */
  cost?(status: WorkerStatus<Competence>, task: Task): number;
  useResponse(status: WorkerStatus<Competence>, task: Task, response: Response): ResponseUse<Task, Competence>;
  /** A request or response could not cross the wire; the task fails, the pool goes on. */
  onMarshalError?(message: string, task: Task): void;
  /** The task was cancelled, expired, or its worker died (task undefined: an idle worker died). */
  onCancelExpireOrDeath?(task: Task | undefined): void;
  nameOfTask(task: Task): string;
  nameOfRequest?(request: Request): string;
}
