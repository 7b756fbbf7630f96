/** Runs the pool user's hooks: whatever one throws is reported, never thrown into the pool. */
export class Hooks {
  constructor(private readonly report?: (error: unknown, hook: string) => void) {}

  run(name: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.error(error, name);
    }
  }

  error(error: unknown, hook: string): void {
    try {
      if (this.report) this.report(error, hook);
      else console.error(`pool: ${hook} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } catch {
      // A reporter that throws has nobody left to report to.
    }
  }
}
