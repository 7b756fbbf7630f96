/**
 * How a process ended, as a sentence (Tezt's `show_process_status`): "exited with code 0",
 * "was killed by SIGTERM", "was stopped by unknown signal (-100)".
 */
import { constants } from 'node:os';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** "<name> exited with code 0", "<name> was killed by SIGKILL". */
  description: string;
}

/** A process status as the kernel reports it; Node only reports the first two kinds. */
export type ProcessStatus =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: NodeJS.Signals | number }
  | { kind: 'stopped'; signal: NodeJS.Signals | number };

export function describeProcessStatus(status: ProcessStatus): string {
  switch (status.kind) {
    case 'exited':
      return `exited with code ${status.code}`;
    case 'killed':
      return `was killed by ${signalName(status.signal)}`;
    case 'stopped':
      return `was stopped by ${signalName(status.signal)}`;
  }
}

/** The sentence for what Node's `exit` event reports. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return describeProcessStatus({ kind: 'killed', signal });
  if (code !== null) return describeProcessStatus({ kind: 'exited', code });
  return 'ended';
}

function signalName(signal: NodeJS.Signals | number): string {
  if (typeof signal === 'string') return signal;
  const known = Object.entries(constants.signals).find(([, number]) => number === signal);
  return known ? known[0] : `unknown signal (${signal})`;
}
