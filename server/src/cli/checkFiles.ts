/**
 * The part of `proofpool check` that speaks LSP: initializes the server the CLI started, checks
 * the files, prints the report and stops the server. Returns the exit status.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { CheckArgs } from './args';
import { formatJson, formatText, Report } from './report';
import { ServerSession } from './serverSession';

export async function checkFiles(server: ChildProcess, args: CheckArgs): Promise<number> {
  const log = args.verbose ? (line: string) => console.error(line) : () => {};
  // It prints diagnostics and counts only: the per-proof and per-worker updates would be thrown away.
  const session = await ServerSession.connect(server, { workers: args.jobs, coqidetopPath: args.coqidetop, statusNotifications: false }, { log });
  const started = Date.now();
  try {
    const results = await Promise.all(
      args.files.map(async (file) => ({ file, ...(await session.check(pathToFileURL(resolve(file)).href, readFileSync(file, 'utf8'))) })),
    );
    const report: Report = { results, seconds: (Date.now() - started) / 1000 };
    const setupError = results.find((r) => r.finished.setupError)?.finished.setupError;
    if (setupError) {
      console.error(`proofpool: cannot check: ${setupError}\nInstall Coq (apt-get install coq, or run 'npm start' which does it), or pass --coqidetop PATH.`);
      return 2;
    }
    console.log(args.json ? formatJson(report) : formatText(report));
    return results.some((r) => r.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)) ? 1 : 0;
  } finally {
    await session.stop();
  }
}
