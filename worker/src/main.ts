/**
 * A proof worker: serves the pool protocol over stdio and drives one coqidetop.
 * It exits (ending its coqidetop) as soon as its connection to the server is gone.
 */
import type { CheckRequest, CheckResponse, CoqMessage, CoqWorkerOptions } from '../../protocol/coqTasks';
import { serveWorker } from '../../server/src/pool/workerRuntime';
import { CoqStartError } from './coqidetop';
import { CoqSession } from './session';

let session: CoqSession | undefined;

/** The worker's exit code when its coqidetop died under it. */
const COQ_DIED = 4;

serveWorker<CheckRequest, CheckResponse, CoqMessage>({
  async start(options) {
    session = new CoqSession((options as CoqWorkerOptions).coqidetopPath);
    return session.start();
  },
  async run(request, context) {
    if (!session) throw new Error('the worker was asked to check before its handshake');
    try {
      const response = await session.check(request, (message) => context.feedback(message), context.interrupted);
      session.compactIfDue();
      return response;
    } catch (error) {
      // Without its coqidetop the worker holds none of the states the pool counts on: it dies with
      // it, so that the pool retries the task elsewhere and starts a fresh worker. The same when
      // coqidetop was killed while it started (a coqidetop that exits with an error at start,
      // e.g. on a bad flag, is the request's problem: the task fails with that error instead).
      if (session.lostCoq || (error instanceof CoqStartError && error.killed)) {
        console.error(`coqidetop died: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(COQ_DIED);
      }
      throw error;
    }
  },
  dispose() {
    session?.dispose();
  },
});
