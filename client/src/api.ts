/**
 * What `activate` returns: a read-only look at the extension's state, for tests running inside the
 * extension host (test/inhost/) and for other extensions. Plain data only: the caller is another bundle.
 */
import type { CheckFinishedParams, ProofStatusParams, WorkerInfo } from '../../protocol/lsp';
import type { Ctx, ServerState } from './ctx';
import type { GutterMark, ProofDecorations } from './decorations';
import type { WorkerStatusItem } from './status';
import type { WorkersView } from './workersView';

export interface ProofPoolApi {
  serverState(): ServerState;
  workers(): WorkerInfo[];
  proofStatuses(uri: string): ProofStatusParams | undefined;
  /** The last checkFinished of the document (a new object for every check). */
  verdict(uri: string): CheckFinishedParams | undefined;
  /** The status bar item as shown: text (with `$(icon)` codes), tooltip, warning colour. */
  statusBar(): { text: string; tooltip: string; warning: boolean };
  /** The Workers view's rows. */
  workersView(): { label: string; description: string; children: string[] }[];
  /** The gutter icons set on the document's editors. */
  gutter(uri: string): GutterMark[];
}

export function makeApi(ctx: Ctx, status: WorkerStatusItem, view: WorkersView, decorations: ProofDecorations): ProofPoolApi {
  return {
    serverState: () => ctx.state,
    workers: () => [...ctx.pool.workers],
    proofStatuses: (uri) => ctx.pool.proofStatuses(uri),
    verdict: (uri) => ctx.pool.verdict(uri),
    statusBar: () => ({ text: status.text, tooltip: status.tooltip, warning: status.warning }),
    workersView: () => view.rows(),
    gutter: (uri) => decorations.marks(uri),
  };
}
