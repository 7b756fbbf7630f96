/** Checks a document with the real pool and workers, inside the test process, to look at the check itself. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProofCounts, ProofStatus } from '../../protocol/lsp';
import { rootFor } from '../../server/src/coq/coqProject';
import { createCoqPool } from '../../server/src/coq/coqPool';
import type { Diagnostic } from 'vscode-languageserver';
import { DocumentCheck, DocumentCheckHost } from '../../server/src/coq/documentCheck';
import { DIST } from './cli';

export async function checkInProcess(
  file: string,
  workers: number,
  host: Partial<DocumentCheckHost> = {},
  env?: NodeJS.ProcessEnv,
): Promise<{ check: DocumentCheck; proofs: ProofCounts; diagnostics: Diagnostic[]; statuses: ProofStatus[] }> {
  const pool = createCoqPool({
    size: workers,
    env,
    workerScript: join(DIST, 'worker.js'),
    coqidetopPath: 'coqidetop.opt',
    log: () => {},
    onWorkersChanged: () => {},
    onSpawnFailure: (message) => {
      throw new Error(message);
    },
  });
  try {
    const document = TextDocument.create(pathToFileURL(file).href, 'coq', 1, readFileSync(file, 'utf8'));
    let check!: DocumentCheck;
    let diagnostics: Diagnostic[] = [];
    let statuses: ProofStatus[] = [];
    const proofs = await new Promise<ProofCounts>((resolve) => {
      check = new DocumentCheck(document, rootFor(file), {
        submit: (task) => pool.submit(task),
        publish: (d) => (diagnostics = d),
        proofStatus: (s) => (statuses = s),
        finished: (r) => resolve(r.proofs),
        ...host,
      });
      check.start();
    });
    return { check, proofs, diagnostics, statuses };
  } finally {
    await pool.destroy();
  }
}
