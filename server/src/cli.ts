/**
 * `proofpool check FILE.v...`: checks documents headless through the very same language server
 * the editor uses, and prints gcc-style problems and a summary. Once the arguments hold, the
 * server starts first and the LSP side of the CLI loads while it boots (./cli/serverProcess.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs, USAGE, UsageError } from './cli/args';
import { spawnServer } from './cli/serverProcess';

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

  const server = spawnServer();
  const stopOnSignal = () => {
    server.kill('SIGKILL'); // its workers see their connection close and exit
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const { checkFiles } = await import('./cli/checkFiles');
  return checkFiles(server, args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`proofpool: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
