/**
 * What a pool user tells the pool about its tasks: Coq's AsyncTaskQueue `TaskT`, in TypeScript.
 * The pool knows nothing else about tasks, requests or responses.
 */

/** A worker is `fresh` when born; after a task it may stay as `old`, carrying its competence. */
export type WorkerStatus<Competence> = { kind: 'fresh' } | { kind: 'old'; competence: Competence };

/**
 * After a response: keep the worker with a new competence and queue follow-up tasks (they run
 * before anything else queued and share the task's cancellation), or `end` it: the process is
 * killed and a fresh one takes its place.
 */
export type ResponseUse<Task, Competence> = { stay: Competence; inject?: Task[] } | 'end';

export interface Policy<Task, Request, Response, Competence> {
  /** The request to send to a worker in this status, or undefined when the task has expired: it is dropped, the worker stays idle. */
  requestOfTask(status: WorkerStatus<Competence>, task: Task): Request | undefined;
  /** Whether a worker in this status may take the task at all; a refused task stays queued. */
  taskMatch(status: WorkerStatus<Competence>, task: Task): boolean;
  /** Among idle workers that match, the one with the lowest cost gets the task (default: all 0). */
  cost?(status: WorkerStatus<Competence>, task: Task): number;
  useResponse(status: WorkerStatus<Competence>, task: Task, response: Response): ResponseUse<Task, Competence>;
  /** Decodes a response; false is a marshal error. Without it every JSON value is accepted. */
  isResponse?(value: unknown): value is Response;
  /** A request or response could not cross the wire: the task fails with reason 'marshal' and the worker is rebooted. */
  onMarshalError?(message: string, task: Task): void;
  /**
   * A running task was cancelled or its worker died (killed, timed out, crashed): called once for
   * that task. `undefined`: a worker died while idle.
   */
  onCancelExpireOrDeath?(task: Task | undefined): void;
  /** Each feedback of a running task, in arrival order, before the task's response. */
  forwardFeedback?(feedback: unknown, task: Task): void;
  nameOfTask(task: Task): string;
  nameOfRequest?(request: Request): string;
}
