/**
 * A tiny test runner for the extension host (mocha's `suite`/`test` shape, without mocha): tests
 * run one after the other in the order they were declared, each with a time limit; a failure is
 * reported and the next test runs. The result is returned for the entry to write down.
 */
export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface RunResult {
  passed: number;
  failed: number;
  tests: TestResult[];
}

interface TestCase {
  name: string;
  fn: () => Promise<void>;
  timeoutMs: number;
}

const cases: TestCase[] = [];
let prefix = '';

/** Groups the tests declared in `body` under `name`. */
export function suite(name: string, body: () => void): void {
  const outer = prefix;
  prefix = `${outer}${name}: `;
  try {
    body();
  } finally {
    prefix = outer;
  }
}

export function test(name: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
  cases.push({ name: prefix + name, fn, timeoutMs });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Runs every declared test (only those whose name contains `grep`, when given). */
export async function runAll(log: (line: string) => void, grep?: string): Promise<RunResult> {
  const tests: TestResult[] = [];
  for (const c of cases) {
    if (grep && !c.name.includes(grep)) continue;
    const start = Date.now();
    try {
      await withTimeout(c.fn(), c.timeoutMs);
      tests.push({ name: c.name, ok: true, ms: Date.now() - start });
      log(`  ✓ ${c.name} (${Date.now() - start} ms)`);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      tests.push({ name: c.name, ok: false, ms: Date.now() - start, error: text });
      log(`  ✗ ${c.name} (${Date.now() - start} ms)\n${text}`);
    }
  }
  const failed = tests.filter((t) => !t.ok).length;
  log(`${tests.length - failed} passing, ${failed} failing`);
  return { passed: tests.length - failed, failed, tests };
}
