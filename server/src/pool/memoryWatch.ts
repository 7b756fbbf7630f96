/**
 * Reboot on memory: every so often, the resident memory of each worker's process group (the
 * worker and what it started, e.g. coqidetop) is read from /proc; a worker over the limit is
 * ended and replaced by a fresh one (workerFleet.ts), mid-task too. (Coq reboots proof workers for
 * the same reason: state that cannot be freed otherwise.)
 */
import { groupResidentBytes } from './processMemory';

export class MemoryWatch {
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly limitBytes: number,
    intervalMs: number,
    /** The process groups to look at (worker pids). */
    groups: () => number[],
    onOver: (group: number, bytes: number) => void,
  ) {
    this.timer = setInterval(() => {
      const wanted = groups().filter((pid) => pid > 0 && pid !== process.pid);
      if (wanted.length === 0) return;
      for (const [group, bytes] of groupResidentBytes(wanted)) if (bytes > limitBytes) onOver(group, bytes);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
