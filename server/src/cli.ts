/**
 * `proofpool check FILE.v...`: checks documents headless through the very same language server
 * the editor uses, and prints gcc-style problems and a summary.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { parseArgs, USAGE, UsageError } from './cli/args';
import { formatJson, formatText, Report } from './cli/report';
import { ServerSession } from './cli/serverSession';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`proofpool: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  for (const file of args.files) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      console.error(`proofpool: ${file}: no such file`);
      return 2;
    }
  }

  const log = args.verbose ? (line: string) => console.error(line) : () => {};
  // It prints diagnostics and counts only: the per-proof and per-worker updates would be thrown away.
  const session = await ServerSession.start({ workers: args.jobs, coqidetopPath: args.coqidetop, statusNotifications: false }, { log });
  const stopOnSignal = () => {
    session.kill();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`proofpool: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
