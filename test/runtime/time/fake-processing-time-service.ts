/**
 * A {@link ProcessingTimeService} for unit tests: a manual clock, and callbacks that run
 * only when the test says so ({@link FakeProcessingTimeService.advanceTo} or
 * {@link FakeProcessingTimeService.runDue}), in the order of their time, then of
 * registration, as the task's mail would run them. A callback whose time has passed
 * runs at the next `runDue`, never inside `registerTimer`.
 */
import type { ProcessingTimeService, ScheduledCallback } from '../../../src/runtime/time/processing-time-service.js';

interface Scheduled {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void | Promise<void>;
  canceled: boolean;
}

export class FakeProcessingTimeService implements ProcessingTimeService {
  private now: number;
  private seq = 0;
  private pending: Scheduled[] = [];
  /** Every time a callback was registered for, in registration order. */
  readonly registered: number[] = [];

  constructor(now = 0) {
    this.now = now;
  }

  getCurrentProcessingTime(): number {
    return this.now;
  }

  registerTimer(time: number, callback: (time: number) => void | Promise<void>): ScheduledCallback {
    const scheduled: Scheduled = { time, seq: this.seq++, callback, canceled: false };
    this.pending.push(scheduled);
    this.registered.push(time);
    return {
      cancel: () => {
        scheduled.canceled = true;
      },
    };
  }

  /** The times of the callbacks that are scheduled and not canceled. */
  scheduledTimes(): number[] {
    return this.live().map((s) => s.time);
  }

  /** Moves the clock to `time` and runs every callback due by then. */
  advanceTo(time: number): void {
    this.now = Math.max(this.now, time);
    this.runDue();
  }

  /** Runs the callbacks due at the current time, including those they register, earliest first. */
  runDue(): void {
    for (;;) {
      const due = this.live().filter((s) => s.time <= this.now);
      if (due.length === 0) return;
      const next = due[0]!;
      next.canceled = true;
      void next.callback(next.time);
    }
  }

  private live(): Scheduled[] {
    this.pending = this.pending.filter((s) => !s.canceled);
    return this.pending.slice().sort((a, b) => a.time - b.time || a.seq - b.seq);
  }
}
