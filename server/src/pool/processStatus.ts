/** How a process ended, as a sentence: "exited with code 0", "was killed by SIGTERM". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  if (code !== null) return `exited with code ${code}`;
  return 'ended';
}
