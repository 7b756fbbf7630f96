/** The types of every constant of a compiled library, as `Print Module` shows them, submodules included. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `Print Module` of `library` and, recursively, of each module inside; `flags` give Coq its load path. */
export function printModules(flags: string[], library: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'proofpool-modules-'));
  try {
    const printed: string[] = [];
    const pending = [library];
    for (let module = pending.shift(); module; module = pending.shift()) {
      const query = join(dir, 'Query.v');
      writeFileSync(query, `Require ${library}.\nPrint Module ${module}.\n`);
      const result = spawnSync('coqc', [...flags, query], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (result.status !== 0) throw new Error(`coqc could not print ${module}: ${result.stderr}`);
      printed.push(`== ${module}\n${result.stdout}`);
      // Print Module names a submodule ("Module Inner" alone on its line) without its contents.
      for (const m of result.stdout.matchAll(/^\s+Module ([\w']+)\s*$/gm)) pending.push(`${module}.${m[1]}`);
    }
    return printed.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
