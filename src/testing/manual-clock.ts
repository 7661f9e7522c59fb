/**
 * A clock that moves only when a test moves it, for processing time without timed
 * assertions: `runJob(job, { execution: 'single-thread', testing: { clock } })`, then `clock.advance(ms)`
 * and every task runs the processing-time callbacks that became due (timers, periodic
 * watermarks, idleness checks), in time order, as task mail.
 */
import type { Clock } from '../runtime/time/processing-time-service.js';

/** A {@link Clock} set by hand. */
export class ManualClock implements Clock {
  private time: number;
  private readonly listeners = new Set<() => void>();

  /** @param start the time to start at (ms since the epoch) @default 0 */
  constructor(start = 0) {
    requireTime('ManualClock', start);
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms` (≥ 0). */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`ManualClock.advance(${String(ms)}): expected a number of milliseconds >= 0`);
    }
    this.set(this.time + ms);
  }

  /** Sets the clock to `time`; a clock never goes back. */
  set(time: number): void {
    requireTime('ManualClock.set', time);
    if (time < this.time) throw new RangeError(`ManualClock.set(${time}): the clock is at ${this.time} and cannot go back`);
    this.time = time;
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

function requireTime(call: string, time: number): void {
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new RangeError(`${call}(${String(time)}): expected a finite number of milliseconds`);
}
