/**
 * A proof worker: serves the pool protocol over stdio and drives one coqidetop.
 * It exits (ending its coqidetop) as soon as its connection to the server is gone.
 */
import type { CheckRequest, CheckResponse, CoqMessage, CoqWorkerOptions } from '../../protocol/coqTasks';
import { serveWorker } from '../../server/src/pool/workerRuntime';
import { CoqSession } from './session';

let session: CoqSession | undefined;

serveWorker<CheckRequest, CheckResponse, CoqMessage>({
  async start(options) {
    session = new CoqSession((options as CoqWorkerOptions).coqidetopPath);
    return session.start();
  },
  run(request, context) {
    if (!session) throw new Error('the worker was asked to check before its handshake');
    return session.check(request, (message) => context.feedback(message), context.interrupted);
  },
  dispose() {
    session?.dispose();
  },
});
