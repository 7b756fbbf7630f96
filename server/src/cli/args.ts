/** Command-line arguments of `proofpool check`. */

export interface CheckArgs {
  files: string[];
  jobs?: number;
  json: boolean;
  coqidetop?: string;
  verbose: boolean;
}

export const USAGE = `Usage: proofpool check [--jobs N] [--json] [--coqidetop PATH] [--verbose] FILE.v...

Checks Coq documents with a pool of coqidetop workers, the same way the editor does.
  --jobs N          number of workers (default: one per CPU)
  --json            print one JSON object instead of lines
  --coqidetop PATH  the coqidetop.opt to run (default: coqidetop.opt on PATH)
  --verbose         also print the server's log on stderr
Exit status: 0 no errors, 1 the documents have errors, 2 usage or set-up error.`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CheckArgs {
  const [command, ...rest] = argv;
  if (command !== 'check') throw new UsageError(command ? `unknown command '${command}'` : 'missing command');
  const args: CheckArgs = { files: [], json: false, verbose: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) throw new UsageError(`${arg} needs a value`);
      return rest[++i];
    };
    if (arg === '--json') args.json = true;
    else if (arg === '--verbose') args.verbose = true;
    else if (arg === '--coqidetop') args.coqidetop = value();
    else if (arg === '--jobs' || arg === '-j') {
      const text = value();
      const jobs = Number(text);
      if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs wants a whole number of at least 1, not '${text}'`);
      args.jobs = jobs;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else args.files.push(arg);
  }
  if (args.files.length === 0) throw new UsageError('no file to check');
  return args;
}
