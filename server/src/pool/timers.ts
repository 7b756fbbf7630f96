/**
 * Tezt's `Timer.on_delay`: delayed functions that belong to a run. A pending timer keeps the run
 * alive (`join` waits for it); cancelling a timer that already fired does nothing.
 */
export interface Timer {
  /** Whether it has neither fired nor been cancelled. */
  readonly pending: boolean;
  cancel(): void;
}

export class TimerSet {
  private readonly timers = new Set<PendingTimer>();

  constructor(
    /** Called after a timer fires or is cancelled (the run may have become idle). */
    private readonly changed: () => void,
    /** A timer's function threw: reported, never thrown into the timer loop. */
    private readonly report: (error: unknown) => void,
  ) {}

  get pendingCount(): number {
    return this.timers.size;
  }

  after(delayMs: number, fn: () => void): Timer {
    const timer = new PendingTimer(this, delayMs, fn);
    this.timers.add(timer);
    return timer;
  }

  cancelAll(): void {
    for (const timer of [...this.timers]) timer.cancel();
  }

  /** @internal */
  fired(timer: PendingTimer, fn: () => void): void {
    this.timers.delete(timer);
    try {
      fn();
    } catch (error) {
      this.report(error);
    }
    this.changed();
  }

  /** @internal */
  cancelled(timer: PendingTimer): void {
    if (this.timers.delete(timer)) this.changed();
  }
}

class PendingTimer implements Timer {
  private handle: NodeJS.Timeout | undefined;

  constructor(
    private readonly set: TimerSet,
    delayMs: number,
    fn: () => void,
  ) {
    this.handle = setTimeout(() => {
      this.handle = undefined;
      set.fired(this, fn);
    }, delayMs);
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  cancel(): void {
    if (this.handle === undefined) return;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.set.cancelled(this);
  }
}
