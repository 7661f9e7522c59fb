/**
 * Time for the checkpoint coordinator, injected so that its rules (periodic trigger, min
 * pause, max concurrent, timeouts) can be tested step by step without real timers, as
 * Flink's coordinator takes a `ScheduledExecutor` that its tests replace with a
 * `ManuallyTriggeredScheduledExecutor`.
 */

/** A task scheduled with {@link CheckpointScheduler.schedule}. */
export interface ScheduledTask {
  /** Keeps the task from running if it has not run yet; does nothing after. */
  cancel(): void;
}

/** Where the coordinator reads the time and schedules what runs later. */
export interface CheckpointScheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `task` once, `delayMs` from now. A scheduled task never keeps the process
   * alive: a job that ends is not held back by its coordinator's timers.
   */
  schedule(delayMs: number, task: () => void): ScheduledTask;
}

/** The real clock and timers (`Date.now`, unreferenced `setTimeout`). */
export const SYSTEM_CHECKPOINT_SCHEDULER: CheckpointScheduler = Object.freeze({
  now: () => Date.now(),
  schedule(delayMs: number, task: () => void): ScheduledTask {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});
