/**
 * A {@link CheckpointScheduler} whose time moves only when a test moves it (Flink's
 * `ManuallyTriggeredScheduledExecutor`): `advance(ms)` runs every task that became due,
 * in time order (ties in scheduling order), including tasks those tasks schedule.
 */
import type { CheckpointScheduler, ScheduledTask } from '../../src/checkpoint/checkpoint-scheduler.js';

interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly task: () => void;
  canceled: boolean;
}

/** A scheduler driven by hand. */
export class ManualCheckpointScheduler implements CheckpointScheduler {
  private time: number;
  private seq = 0;
  private entries: Entry[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, task: () => void): ScheduledTask {
    const entry: Entry = { due: this.time + Math.max(0, delayMs), seq: this.seq++, task, canceled: false };
    this.entries.push(entry);
    return {
      cancel: () => {
        entry.canceled = true;
      },
    };
  }

  /** How many tasks are scheduled and not canceled. */
  get scheduledCount(): number {
    return this.entries.filter((e) => !e.canceled).length;
  }

  /** Moves time forward by `ms`, running each task when its time comes. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.entries.filter((e) => !e.canceled && e.due <= until).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.entries = this.entries.filter((e) => e !== next && !e.canceled);
      this.time = Math.max(this.time, next.due);
      next.task();
    }
    this.time = until;
  }
}
