/**
 * Stops a coqidetop that runs past its time limit, ever more firmly: an interrupt first (Coq stops
 * the sentence and the worker keeps its states), then SIGTERM, then SIGKILL.
 */
import type { CoqIdeTop } from './coqidetop';

/** How long each step waits for coqidetop to give up before the next, firmer one. */
const ESCALATION_MS = 2000;

export class Watchdog {
  private timers: NodeJS.Timeout[];
  /** The limit was reached (whatever happened next). */
  fired = false;

  constructor(coq: CoqIdeTop, limitMs: number) {
    this.timers = [
      setTimeout(() => {
        this.fired = true;
        coq.interrupt();
      }, limitMs),
      setTimeout(() => signal(coq.pid, 'SIGTERM'), limitMs + ESCALATION_MS),
      setTimeout(() => coq.kill(), limitMs + 2 * ESCALATION_MS),
    ];
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
